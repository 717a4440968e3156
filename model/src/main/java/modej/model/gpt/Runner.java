package modej.model.gpt;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

import modej.engine.device.Backend;
import modej.engine.device.Executable;
import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.engine.plan.ExecutionPlan;
import modej.model.param.AdamWSettings;
import modej.model.param.GradientNorm;
import modej.model.param.Optimizer;
import modej.model.param.Slab;

/**
 * Runs a language model's graphs on a backend for one batch shape: evaluation (forward + loss)
 * and training steps (forward, backward, AdamW over the trainable slabs). A step allocates nothing.
 */
public final class Runner {

    /** Mean loss and next-token accuracy over the rows that have a target. */
    public record Result(double loss, double accuracy, int rows) {
    }

    private final LmGraphs graphs;
    private final Backend backend;
    private final Executable[] forward;
    private final Executable[] backward;
    private final Optimizer optimizer;
    private final Executable optimizerStep;
    // the buffers each step moves, in arrays made once (varargs would allocate every step)
    private final Buffer[] inputBuffers, lossScaleBuffer, outputBuffers, probsBuffer, scheduleBuffers;
    private final GradientNorm gradientNorm;
    private float maxGradNorm; // 0 = no clipping
    private double lastGradNorm = Double.NaN;

    /** @param settings AdamW settings, or null for an evaluation-only runner */
    public Runner(LmGraphs graphs, Backend backend, AdamWSettings settings) {
        this(graphs, backend, settings, ExecutionPlan.spmd());
    }

    /** With an execution plan: SPMD, or MPMD with independent graphs on different devices at once. */
    public Runner(LmGraphs graphs, Backend backend, AdamWSettings settings, ExecutionPlan plan) {
        this.graphs = graphs;
        this.backend = backend;
        graphs.slabs().forEach(s -> backend.toDevice(s.params()));
        this.inputBuffers = new Buffer[]{graphs.tokens(), graphs.targets()};
        this.lossScaleBuffer = new Buffer[]{graphs.lossScale()};
        this.outputBuffers = new Buffer[]{graphs.losses(), graphs.correct()};
        this.probsBuffer = new Buffer[]{graphs.probs()};
        this.forward = plan.compile(graphs.forwardStages(), backend).toArray(Executable[]::new);
        if (settings != null) {
            this.backward = plan.compile(graphs.backwardStages(), backend).toArray(Executable[]::new);
            this.optimizer = new Optimizer(graphs.slabs(), settings);
            this.optimizerStep = backend.compile(optimizer.graph());
            this.scheduleBuffers = optimizer.scheduleBuffers().toArray(Buffer[]::new);
            this.gradientNorm = new GradientNorm(graphs.slabs(), backend);
        } else {
            this.gradientNorm = null;
            this.scheduleBuffers = null;
            this.backward = null;
            this.optimizer = null;
            this.optimizerStep = null;
        }
    }

    /** A runner for a plain backbone (every trainable slab is trained). */
    public static Runner of(GptParams params, int batch, int seq, Backend backend, AdamWSettings settings) {
        return new Runner(new GptGraphs(params, batch, seq), backend, settings);
    }

    public LmGraphs graphs() {
        return graphs;
    }

    /**
     * Bytes of every distinct array the runner's graphs use: weights (frozen and trained),
     * gradients, AdamW moments, activations and scratch. What a device running this model must
     * hold; unlike the JVM heap it does not depend on the garbage collector, so methods compare.
     */
    public long bufferBytes() {
        Set<Buffer> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Graph> all = new ArrayList<>(graphs.forward());
        if (backward != null) {
            all.addAll(graphs.backward());
            all.add(optimizer.graph());
            all.addAll(gradientNorm.graphs());
        }
        long bytes = 0;
        for (Graph g : all) {
            for (Buffer b : g.buffers()) {
                if (seen.add(b)) {
                    bytes += 4L * b.length(); // float or int
                }
            }
        }
        return bytes;
    }

    /**
     * Clips the gradients' global L2 norm to {@code maxNorm} before each AdamW update (as PyTorch's
     * {@code clip_grad_norm_}: scaled by {@code maxNorm / (norm + 1e-6)} when the norm exceeds it);
     * 0 turns clipping off. Returns this runner.
     */
    public Runner clipGradients(float maxNorm) {
        if (!(maxNorm >= 0) || Float.isInfinite(maxNorm)) {
            throw new IllegalArgumentException("gradient clipping norm must be a finite number >= 0, got " + maxNorm);
        }
        this.maxGradNorm = maxNorm;
        return this;
    }

    /** The global L2 norm of the gradients of the last training step, before clipping (NaN before any step). */
    public double lastGradNorm() {
        return lastGradNorm;
    }

    /** Forward and loss only. {@code inputs} and {@code targets} hold B·T ids (targets −1 = ignore). */
    public Result evaluate(int[] inputs, int[] targets) {
        load(inputs, targets);
        run(forward);
        return readLoss();
    }

    /**
     * One optimisation step at learning rate {@code lr}; {@code step} is the 1-based AdamW step
     * (it sets the bias correction, and must continue across a resume). When the loss or the
     * gradients' norm ({@link #lastGradNorm()}) is not finite the weights are left as they were:
     * no update is applied, and the caller decides what to do.
     */
    public Result trainStep(int[] inputs, int[] targets, float lr, int step) {
        if (backward == null) {
            throw new IllegalStateException("this runner was built for evaluation only");
        }
        int valid = load(inputs, targets);
        graphs.lossScale().data()[0] = valid == 0 ? 0f : 1f / valid;
        backend.toDevice(lossScaleBuffer);
        run(forward);
        run(backward);
        Result result = readLoss();
        lastGradNorm = gradientNorm.norm();
        if (!Double.isFinite(result.loss()) || !Double.isFinite(lastGradNorm)) {
            return result;
        }
        if (maxGradNorm > 0 && lastGradNorm > maxGradNorm) {
            gradientNorm.scale((float) (maxGradNorm / (lastGradNorm + 1e-6)));
        }
        optimizer.setLearningRate(lr);
        optimizer.step().data()[0] = step;
        backend.toDevice(scheduleBuffers);
        optimizerStep.run();
        return result;
    }

    /** Whether every weight and AdamW moment is finite (call {@link #slabsToHost()} first on a device backend). */
    public boolean slabsFinite() {
        for (Slab s : graphs.slabs()) {
            if (!finite(s.params().data()) || s.trainable() && (!finite(s.m().data()) || !finite(s.v().data()))) {
                return false;
            }
        }
        return true;
    }

    private static boolean finite(float[] d) {
        for (float x : d) {
            if (!Float.isFinite(x)) {
                return false;
            }
        }
        return true;
    }

    private static void run(Executable[] graphs) {
        for (Executable e : graphs) {
            e.run();
        }
    }

    /**
     * Brings every slab's weights and AdamW moments to the host: a backend may hold newer copies on
     * a device. Call before saving or reading them.
     */
    public void slabsToHost() {
        for (Slab s : graphs.slabs()) {
            backend.toHost(s.params());
            if (s.trainable()) {
                backend.toHost(s.m(), s.v());
            }
        }
    }

    /** Forward only; afterwards {@link #probabilities()} holds the softmax of every row. */
    public void forward(int[] inputs) {
        int[] t = graphs.targets().data();
        java.util.Arrays.fill(t, -1);
        System.arraycopy(inputs, 0, graphs.tokens().data(), 0, graphs.tokens().length());
        backend.toDevice(inputBuffers);
        run(forward);
        backend.toHost(probsBuffer);
    }

    /** The softmax output (B·T, V) of the last run, after {@link #forward}. */
    public float[] probabilities() {
        return graphs.probs().data();
    }

    private int load(int[] inputs, int[] targets) {
        int n = graphs.tokens().length();
        if (inputs.length != n || targets.length != n) {
            throw new IllegalArgumentException("expected " + n + " inputs and targets, got " + inputs.length + ", " + targets.length);
        }
        System.arraycopy(inputs, 0, graphs.tokens().data(), 0, n);
        System.arraycopy(targets, 0, graphs.targets().data(), 0, n);
        backend.toDevice(inputBuffers);
        int valid = 0;
        for (int t : targets) {
            if (t >= 0) {
                valid++;
            }
        }
        return valid;
    }

    private Result readLoss() {
        Buffer.F32 losses = graphs.losses(), correct = graphs.correct();
        backend.toHost(outputBuffers);
        double loss = 0, acc = 0;
        int rows = 0;
        int[] targets = graphs.targets().data();
        for (int i = 0; i < targets.length; i++) {
            if (targets[i] >= 0) {
                loss += losses.data()[i];
                acc += correct.data()[i];
                rows++;
            }
        }
        return rows == 0 ? new Result(Double.NaN, Double.NaN, 0) : new Result(loss / rows, acc / rows, rows);
    }
}
