package modej.tasks.train;

import java.util.Locale;

import modej.engine.kernel.GradNorm;
import modej.model.gpt.GptConfig;
import modej.model.param.GradientNorm;

/**
 * The bytes a run's graphs will hold, estimated from the shapes before anything is allocated, and
 * checked against the JVM's heap: a model that cannot fit is refused at once with the estimate and
 * the remedy, instead of failing with an {@link OutOfMemoryError} after minutes of allocation.
 * The counts follow what {@code GptGraphs}, {@code TransformerLayer} and {@code Runner} allocate
 * (a test checks them against {@code Runner.bufferBytes}).
 */
public final class MemoryPlan {

    /** Largest Java array: every buffer is one array. */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private MemoryPlan() {
    }

    /**
     * Floats of the activations and gradient scratch of one set of graphs over {@code layers}
     * transformer layers of the backbone's width (B·T rows): embeddings and head ends, every layer's
     * saved activations, the shared backward scratch.
     */
    public static long activationFloats(GptConfig c, int layers, int batch, int seq) {
        long bt = (long) batch * seq, C = c.width(), V = c.vocab();
        long att = (long) batch * c.heads() * seq * seq;                 // (B,NH,T,T)
        long ends = 2 * bt + 3 * bt * C + 4 * bt + 3 * bt * V + 1 + bt * C; // tokens..dlogits, loss scale, dres
        long perLayer = 18 * bt * C + 4 * bt + att;                      // ln1 … out (see TransformerLayer.Activations)
        long scratch = 14 * bt * C + att;                                // TransformerLayer.Scratch
        return ends + layers * perLayer + scratch;
    }

    /**
     * Floats a training runner of a plain backbone holds: weights, gradients and both AdamW moments
     * of every parameter, the activations, the optimizer's learning rate and step, the gradient
     * norm's partial sums.
     */
    public static long gptTrainingFloats(GptConfig c, int batch, int seq) {
        return 4 * c.parameterCount() + activationFloats(c, c.layers(), batch, seq) + 2 + gradNormFloats(c);
    }

    /**
     * Floats of the gradient norm's partial sums (one per {@value GradNorm#CHUNK} gradients of each
     * slab: embeddings, every layer, the final norm, an untied head) and the clipping factor.
     */
    static long gradNormFloats(GptConfig c) {
        long C = c.width();
        long head = c.tiedHead() ? 0 : GradientNorm.chunks((long) c.vocab() * C);
        return GradientNorm.chunks((long) (c.vocab() + c.context()) * C) + c.layers() * GradientNorm.chunks(c.layerParameterCount())
                + GradientNorm.chunks(2 * C) + head + 1;
    }


    /**
     * Bytes pretraining holds: the training runner, the validation runner's activations and the
     * sampler's (batch 1, the whole context).
     */
    public static long pretrainBytes(GptConfig c, int batch, int seq) {
        return 4 * (gptTrainingFloats(c, batch, seq) + activationFloats(c, c.layers(), batch, seq)
                + activationFloats(c, c.layers(), 1, c.context()));
    }

    /**
     * Bytes an adaptation run holds: every slab's weights ({@code parameters}), gradients and
     * moments of the {@code trainable} ones, and the activations of the training and validation
     * graphs over the backbone's layers plus {@code extraLayers} (MoDE's expert layers).
     */
    public static long adaptationBytes(GptConfig backbone, int extraLayers, long parameters, long trainable, int batch,
                                       int seq) {
        long act = activationFloats(backbone, backbone.layers() + extraLayers, batch, seq);
        // the gradient norm's partial sums: about one per CHUNK trainable parameters (a little more, per slab)
        return 4 * (parameters + 3 * trainable + 2 * act + 2 + GradientNorm.chunks(trainable) + 1);
    }

    /**
     * Refuses a run whose graphs cannot fit: more bytes than the heap may grow to (less a tenth for
     * everything else), or one buffer longer than a Java array can be.
     *
     * @param bytes  the estimate
     * @param remedy what to make smaller, e.g. "--batch, --seq or the model"
     */
    public static void require(GptConfig c, int batch, int seq, long bytes, String remedy) {
        long C = c.width();
        long largest = Math.max(Math.max(12 * C * C + 13 * C, (long) c.vocab() * C + (long) c.context() * C + 2 * C),
                Math.max((long) batch * c.heads() * seq * seq, (long) batch * seq * Math.max(4 * C, c.vocab())));
        if (largest > MAX_ARRAY) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "this model needs one buffer of %,d floats, more "
                    + "than a Java array holds (%,d); make %s smaller", largest, MAX_ARRAY, remedy));
        }
        long max = Runtime.getRuntime().maxMemory();
        if (bytes > max - max / 10) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "this run needs about %s of graph buffers (weights, "
                    + "gradients, AdamW moments, activations) but the JVM heap may grow to %s only; give it more with "
                    + "MODEJ_JAVA_OPTS=-Xmx%dg (./modej reads it), or make %s smaller", size(bytes), size(max),
                    (long) Math.ceil(bytes * 1.25 / (1L << 30)), remedy));
        }
    }

    /** Bytes as MiB or GiB. */
    static String size(long bytes) {
        return bytes >= 1L << 30 ? String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30))
                : String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }
}
