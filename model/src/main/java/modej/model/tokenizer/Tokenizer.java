package modej.model.tokenizer;

/** Text ↔ token ids. */
public interface Tokenizer {

    /** Number of distinct ids; every id is in [0, vocabSize). */
    int vocabSize();

    int[] encode(String text);

    String decode(int[] ids, int from, int to);

    /** The name saved in checkpoints, e.g. {@code "bytes"}. */
    String name();
}
