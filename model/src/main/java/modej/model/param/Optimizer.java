package modej.model.param;

import static modej.engine.graph.Arg.f32;
import static modej.engine.graph.Arg.i32;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.engine.kernel.AdamW;

/**
 * Records the AdamW step over the trainable slabs only, one task per slice so that weight decay
 * applies to matrices and not to biases or norms. The learning rate and the step count live in
 * 1-element buffers that the host updates before each run; a slab with a learning-rate scale
 * other than 1 ({@link Slab#learningRateScale}) reads its own, which the host sets to scale × lr.
 */
public final class Optimizer {

    private final Buffer.F32 learningRate = new Buffer.F32("optimizer.lr", 1);
    private final Buffer.I32 step = new Buffer.I32("optimizer.step", 1);
    private final Map<Float, Buffer.F32> scaledRates = new LinkedHashMap<>();   // scale → (1) scale × lr
    // the same as arrays, so that setting the rates each step allocates nothing
    private final float[] scales;
    private final Buffer.F32[] scaledRateBuffers;
    private final Graph graph;

    public Optimizer(List<Slab> slabs, AdamWSettings s) {
        graph = new Graph("optimizer");
        for (Slab slab : slabs) {
            if (!slab.trainable()) {
                continue;
            }
            float scale = slab.learningRateScale();
            Buffer.F32 rate = scale == 1f ? learningRate
                    : scaledRates.computeIfAbsent(scale, k -> new Buffer.F32("optimizer.lr.x" + k, 1));
            for (Slice slice : slab.layout().slices()) {
                graph.task(slab.name() + "." + slice.name() + ".adamw", slice.size(), AdamW::update,
                        slab.params(), slab.grads(), slab.m(), slab.v(), rate, step,
                        f32(s.beta1()), f32(s.beta2()), f32(s.eps()), f32(slice.decay() ? s.weightDecay() : 0f),
                        i32(slice.offset()));
            }
        }
        scales = new float[scaledRates.size()];
        scaledRateBuffers = scaledRates.values().toArray(Buffer.F32[]::new);
        int i = 0;
        for (float scale : scaledRates.keySet()) {
            scales[i++] = scale;
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

    /** Sets the learning rate on the host: {@link #learningRate} = lr, each scaled slab's = its scale × lr. */
    public void setLearningRate(float lr) {
        learningRate.data()[0] = lr;
        for (int i = 0; i < scales.length; i++) {
            scaledRateBuffers[i].data()[0] = scales[i] * lr;
        }
    }

    /** The buffers the host sets before each step: every learning rate, then the step. */
    public List<Buffer> scheduleBuffers() {
        List<Buffer> all = new ArrayList<>();
        all.add(learningRate);
        all.addAll(scaledRates.values());
        all.add(step);
        return all;
    }

    public Buffer.I32 step() {
        return step;
    }
}
