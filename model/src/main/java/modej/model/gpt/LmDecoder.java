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

    /** Sequences decoded at once (B). */
    int batch();

    /** Positions a sequence may reach (T): the model's context. */
    int context();

    /** The next token of each sequence (B). */
    Buffer.I32 tokens();

    /** The position of each sequence's next token (B), 0 ≤ p &lt; context. */
    Buffer.I32 positions();

    /** Logits after the last step (B,V). */
    Buffer.F32 logits();

    /** Softmax of the logits after the last step (B,V). */
    Buffer.F32 probs();

    /** The graphs of one step, run in order. */
    List<Graph> step();

    /** Every slab the model reads. */
    List<Slab> slabs();

    /** Buffers set once before the first step (e.g. the head's ignore-all targets). */
    List<Buffer> constants();
}
