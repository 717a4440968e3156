package modej.model.gpt;

import modej.engine.graph.Buffer;

/**
 * One transformer layer's key/value cache for decoding: the keys and values of every position
 * decoded so far, per sequence, and the attention scratch of one step.
 */
public final class KvCache {

    final Buffer.F32 keys, values, scores;

    /** For {@code batch} sequences of up to {@code context} positions, width C and NH heads. */
    public KvCache(String prefix, int batch, int context, int C, int NH) {
        keys = new Buffer.F32(prefix + ".kcache", batch * context * C);      // (B,T,C)
        values = new Buffer.F32(prefix + ".vcache", batch * context * C);    // (B,T,C)
        scores = new Buffer.F32(prefix + ".scores", batch * NH * context);   // (B,NH,T)
    }
}
