package modej.model.gpt;

import modej.engine.device.Backend;
import modej.engine.device.Executable;
import modej.engine.graph.Buffer;

/**
 * Runs an {@link LmDecoder} on a backend, one position per sequence per {@link #step}. The
 * caches stay where the backend keeps them between steps; a step allocates nothing.
 */
public final class DecodeRunner {

    private final LmDecoder decoder;
    private final Backend backend;
    private final Executable[] step;
    private final Buffer[] inputs, outputs;

    public DecodeRunner(LmDecoder decoder, Backend backend) {
        this.decoder = decoder;
        this.backend = backend;
        decoder.slabs().forEach(s -> backend.toDevice(s.params()));
        backend.toDevice(decoder.constants().toArray(Buffer[]::new));
        // One sequence is a row per matmul: nothing to split, and a hand-off per task would cost
        // more than the task (most of the time on a loaded machine). Batches use every worker.
        int workers = decoder.batch() == 1 ? 1 : Integer.MAX_VALUE;
        this.step = decoder.step().stream().map(g -> backend.compile(g, workers)).toArray(Executable[]::new);
        this.inputs = new Buffer[]{decoder.tokens(), decoder.positions()};
        this.outputs = new Buffer[]{decoder.logits(), decoder.probs()};
    }

    public LmDecoder decoder() {
        return decoder;
    }

    /**
     * Feeds {@code tokens[b]} at {@code positions[b]} for every sequence b; afterwards
     * {@link #probabilities()} and {@link #logits()} hold each sequence's next-token distribution.
     * A sequence must be fed positions 0, 1, 2, … in order (position 0 starts it afresh); a
     * sequence with nothing to feed may repeat its last token and position, which rewrites the same
     * cache entry with the same values.
     */
    public void step(int[] tokens, int[] positions) {
        int B = decoder.batch();
        if (tokens.length != B || positions.length != B) {
            throw new IllegalArgumentException("expected " + B + " tokens and positions, got " + tokens.length
                    + ", " + positions.length);
        }
        for (int p : positions) {
            if (p < 0 || p >= decoder.context()) {
                throw new IllegalArgumentException("position " + p + " outside the context [0, " + decoder.context() + ")");
            }
        }
        System.arraycopy(tokens, 0, decoder.tokens().data(), 0, B);
        System.arraycopy(positions, 0, decoder.positions().data(), 0, B);
        backend.toDevice(inputs);
        for (Executable e : step) {
            e.run();
        }
        backend.toHost(outputs);
    }

    /** Next-token probabilities (B,V) after the last step. */
    public float[] probabilities() {
        return decoder.probs().data();
    }

    /** Next-token logits (B,V) after the last step. */
    public float[] logits() {
        return decoder.logits().data();
    }
}
