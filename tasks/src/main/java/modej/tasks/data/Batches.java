package modej.tasks.data;

/** A seekable source of training batches: batch i depends only on the seed and i. */
public interface Batches {

    /** Fills the next batch: inputs and next-token targets, B·T each. */
    void next(int[] inputs, int[] targets);

    /** Moves to batch {@code position} (the number of batches drawn so far), for resuming. */
    void seek(long position);
}
