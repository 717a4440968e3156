package modej.model.gpt;

import java.util.List;

import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.model.param.Slab;

/**
 * A language model recorded for incremental decoding: each run of {@link #step()} reads one token
 * per sequence at that sequence's position, appends to the model's key/value caches (and any
 * running state, such as a per-sequence gate's prefix sums) and writes the next-token logits and
 * probabilities. Positions of a sequence must be fed in order from 0; feeding position 0 starts
 * the sequence afresh. Run by a {@link DecodeRunner}.
 */
public interface LmDecoder {

    /** Its embedding and head ends ({@link LmEnds#decoding}). */
    LmEnds ends();

    /** Sequences decoded at once (B). */
    default int batch() {
        return ends().tokens().length();
    }

    /** Positions a sequence may reach (T): the model's context. */
    int context();

    /** The next token of each sequence (B). */
    default Buffer.I32 tokens() {
        return ends().tokens();
    }

    /** The position of each sequence's next token (B), 0 ≤ p &lt; context. */
    Buffer.I32 positions();

    /** Logits after the last step (B,V). */
    default Buffer.F32 logits() {
        return ends().logits();
    }

    /** Softmax of the logits after the last step (B,V). */
    default Buffer.F32 probs() {
        return ends().probs();
    }

    /** The graphs of one step, run in order. */
    List<Graph> step();

    /** Every slab the model reads. */
    List<Slab> slabs();

    /** Buffers set once before the first step: the head's ignore-all targets. */
    default List<Buffer> constants() {
        return List.of(ends().targets());
    }
}
