package modej.model.param;

import static modej.engine.graph.Arg.i32;

import java.util.List;

import modej.engine.device.Backend;
import modej.engine.device.Executable;
import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.engine.kernel.GradNorm;

/**
 * The trainable slabs' global gradient L2 norm and its clipping, computed where the gradients are:
 * {@link GradNorm#sumsOfSquares} over chunks of {@value GradNorm#CHUNK} gradients of each slab
 * (only those partial sums go to the host, which adds them in double, in slab order: the same for
 * any number of workers), and {@link GradNorm#scale} by a one-float factor the host sets. Neither
 * call allocates.
 */
public final class GradientNorm {

    private final Buffer.F32 partials; // every trainable slab's partial sums, in slab order
    private final Buffer.F32 factor = new Buffer.F32("grad_clip.factor", 1);
    // the buffers each call moves, in arrays made once (varargs would allocate every step)
    private final Buffer[] partialsBuffer, factorBuffer = {factor};
    private final Graph normGraph = new Graph("grad_norm"), clipGraph = new Graph("grad_clip");
    private final Backend backend;
    private final Executable normStep, clipStep; // null without trainable slabs

    public GradientNorm(List<Slab> slabs, Backend backend) {
        this.backend = backend;
        List<Buffer.F32> grads = slabs.stream().filter(Slab::trainable).map(Slab::grads).toList();
        partials = new Buffer.F32("grad_norm.partials", Math.max(1, grads.stream().mapToInt(g -> chunks(g.length())).sum()));
        partialsBuffer = new Buffer[]{partials};
        int at = 0;
        for (Buffer.F32 g : grads) {
            normGraph.task(g.name() + ".sumsq", chunks(g.length()), GradNorm::sumsOfSquares, partials, i32(at), g,
                    i32(g.length()));
            clipGraph.task(g.name() + ".clip", g.length(), GradNorm::scale, g, factor);
            at += chunks(g.length());
        }
        normStep = grads.isEmpty() ? null : backend.compile(normGraph);
        clipStep = grads.isEmpty() ? null : backend.compile(clipGraph);
    }

    /** The number of partial sums of a gradient buffer of n elements. */
    public static long chunks(long n) {
        return (n + GradNorm.CHUNK - 1) / GradNorm.CHUNK;
    }

    private static int chunks(int n) {
        return (int) chunks((long) n);
    }

    /** The global L2 norm of every trainable gradient; 0 without any, non-finite when any gradient is. */
    public double norm() {
        if (normStep == null) {
            return 0;
        }
        normStep.run();
        backend.toHost(partialsBuffer);
        double sum = 0;
        for (float partial : partials.data()) {
            sum += partial;
        }
        return Math.sqrt(sum);
    }

    /** Every trainable gradient times {@code scale}. */
    public void scale(float scale) {
        if (clipStep == null) {
            return;
        }
        factor.data()[0] = scale;
        backend.toDevice(factorBuffer);
        clipStep.run();
    }

    /** Both graphs, for counting what they hold. */
    public List<Graph> graphs() {
        return List.of(normGraph, clipGraph);
    }
}
