package modej.model.param;

import static modej.engine.graph.Arg.f32;
import static modej.engine.graph.Arg.i32;

import java.util.List;

import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.engine.kernel.AdamW;

/**
 * Records the AdamW step over the trainable slabs only, one task per slice so that weight decay
 * applies to matrices and not to biases or norms. The learning rate and the step count live in
 * 1-element buffers that the host updates before each run.
 */
public final class Optimizer {

    private final Buffer.F32 learningRate = new Buffer.F32("optimizer.lr", 1);
    private final Buffer.I32 step = new Buffer.I32("optimizer.step", 1);
    private final Graph graph;

    public Optimizer(List<Slab> slabs, AdamWSettings s) {
        graph = new Graph("optimizer");
        for (Slab slab : slabs) {
            if (!slab.trainable()) {
                continue;
            }
            for (Slice slice : slab.layout().slices()) {
                graph.task(slab.name() + "." + slice.name() + ".adamw", slice.size(), AdamW::update,
                        slab.params(), slab.grads(), slab.m(), slab.v(), learningRate, step,
                        f32(s.beta1()), f32(s.beta2()), f32(s.eps()), f32(slice.decay() ? s.weightDecay() : 0f),
                        i32(slice.offset()));
            }
        }
    }

    /** Records zeroing the gradients of every trainable slab. */
    public static void zeroGrads(Graph g, List<Slab> slabs) {
        for (Slab slab : slabs) {
            if (slab.trainable()) {
                g.task(slab.name() + ".zero_grad", slab.size(), AdamW::zeroGrad, slab.grads(), i32(0));
            }
        }
    }

    public Graph graph() {
        return graph;
    }

    public Buffer.F32 learningRate() {
        return learningRate;
    }

    public Buffer.I32 step() {
        return step;
    }
}
