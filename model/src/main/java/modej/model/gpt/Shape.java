package modej.model.gpt;

/**
 * The batch shape a set of graphs is recorded for.
 *
 * @param batch B, sequences per step
 * @param seq   T, tokens per sequence
 * @param width C
 * @param heads NH
 */
public record Shape(int batch, int seq, int width, int heads) {

    public Shape {
        if (batch <= 0 || seq <= 0) {
            throw new IllegalArgumentException("batch and seq must be > 0, got " + batch + ", " + seq);
        }
    }

    /** B·T, the rows of every (B, T, ·) activation. */
    public int rows() {
        return batch * seq;
    }
}
