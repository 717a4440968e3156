package modej.tasks.train;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import modej.engine.device.Backend;
import modej.engine.plan.ExecutionPlan;
import modej.model.method.AdaptedModel;
import modej.model.gpt.Runner;
import modej.model.param.ParameterCounts;
import modej.tasks.data.Batches;

/**
 * Trains an adapted model for a token budget and saves what it trained, with the costs of the run
 * (wall time, tokens/s, peak heap, parameter counts) in the checkpoint's metadata so that
 * {@code eval} can report them beside the metrics.
 */
public final class Adaptation {

    /**
     * What a run cost and how it ended.
     *
     * @param seconds      training time, over every part of a stopped and continued run
     * @param peakHeapMiB  peak JVM heap during training (sum of pool peaks: garbage included)
     * @param bufferBytes  bytes of the arrays the training graphs hold ({@link Runner#bufferBytes})
     * @param finished     false when the run stopped early and saved its state instead of the model
     */
    public record Outcome(TrainingLoop.Evaluation last, double seconds, long tokens, long peakHeapMiB, long bufferBytes,
                          ParameterCounts counts, boolean finished) {
        public double tokensPerSecond() {
            return tokens / seconds;
        }
    }

    private Adaptation() {
    }

    /**
     * Trains on {@code batches}, validates on {@code validation} (if not null), saves to
     * {@code out} with {@code provenance} and the run's costs.
     */
    public static Outcome train(AdaptedModel model, TrainingSettings s, Backend backend, Batches batches, int[] validation,
                                Path out, Map<String, String> provenance, PrintStream log) throws IOException {
        return train(model, s, backend, batches, validation, out, provenance, log, (step, loss) -> { });
    }

    /**
     * As {@link #train(AdaptedModel, TrainingSettings, Backend, Batches, int[], Path, Map, PrintStream)}, with
     * {@code listener} called after every step (e.g. a {@link modej.tasks.train.LossCurve}); no
     * validation runs when {@code validation} is null.
     */
    public static Outcome train(AdaptedModel model, TrainingSettings s, Backend backend, Batches batches, int[] validation,
                                Path out, Map<String, String> provenance, PrintStream log,
                                TrainingLoop.StepListener listener) throws IOException {
        return train(model, s, backend, batches, validation, out, provenance, log, listener, null, null);
    }

    /**
     * As {@link #train(AdaptedModel, TrainingSettings, Backend, Batches, int[], Path, Map, PrintStream, TrainingLoop.StepListener)},
     * keeping the run's state in {@code state} (null: none) so that a stopped run can continue, and
     * continuing the run {@code resumed} saved (null: a new run; its slabs must already be restored
     * into {@code model}). A stopped run saves its state instead of the model and returns an
     * outcome that is not {@link Outcome#finished()}.
     */
    public static Outcome train(AdaptedModel model, TrainingSettings s, Backend backend, Batches batches, int[] validation,
                                Path out, Map<String, String> provenance, PrintStream log,
                                TrainingLoop.StepListener listener, RunState state, RunState.Saved resumed)
            throws IOException {
        return train(model, s, backend, ExecutionPlan.spmd(), batches, validation, out, provenance, log, listener, state, resumed);
    }

    /**
     * As {@link #train(AdaptedModel, TrainingSettings, Backend, Batches, int[], Path, Map, PrintStream,
     * TrainingLoop.StepListener, RunState, RunState.Saved)}, the training and validation graphs
     * compiled under {@code plan} (SPMD, or MPMD with a stage's graphs on different devices at once).
     */
    public static Outcome train(AdaptedModel model, TrainingSettings s, Backend backend, ExecutionPlan plan, Batches batches,
                                int[] validation, Path out, Map<String, String> provenance, PrintStream log,
                                TrainingLoop.StepListener listener, RunState state, RunState.Saved resumed)
            throws IOException {
        Runner runner = new Runner(model.graphs(s.batch(), s.seq()), backend, s.adamw(), plan).clipGradients(s.gradClip());
        Runner evalRunner = validation == null ? null : new Runner(model.graphs(s.batch(), s.seq()), backend, null, plan);
        TrainingLoop.Validator validator = validation == null ? null
                : () -> Validation.run(evalRunner, validation, s.batch(), s.seq(), s.evalBatches());
        Map<String, String> stateMeta = new LinkedHashMap<>(provenance);
        stateMeta.put("modej.method", model.method());
        stateMeta.put("modej.train.settings", s.toString());
        int startStep = resumed == null ? 0 : resumed.step();
        double secondsBefore = resumed == null ? 0 : resumed.seconds();
        long t0 = System.nanoTime();
        TrainingLoop.Checkpointer saver = step -> {
            if (state != null && step < s.steps()) {
                runner.slabsToHost();
                RunState.save(state.file(), model, stateMeta, step, secondsBefore + (System.nanoTime() - t0) / 1e9);
            }
        };
        int[] lastStep = {startStep};
        TrainingLoop loop = new TrainingLoop(runner, batches, s.lr(), s.steps(), s.evalEvery(),
                state == null ? 0 : state.every(), validator, saver)
                .onStep((step, loss) -> {
                    lastStep[0] = step;
                    listener.afterStep(step, loss);
                });
        if (state != null) {
            state.onStop(loop::requestStop);
        }
        PeakHeap.reset();
        TrainingLoop.Evaluation last = loop.run(model.method(), startStep,
                state == null ? s.steps() : state.stopAfter(), log);
        double seconds = secondsBefore + (System.nanoTime() - t0) / 1e9;
        long tokens = (long) s.steps() * s.batch() * s.seq();
        Outcome outcome = new Outcome(last, seconds, tokens, PeakHeap.mebibytes(), runner.bufferBytes(), model.counts(),
                lastStep[0] == s.steps());
        if (!outcome.finished()) {
            return outcome;
        }
        Map<String, String> meta = new LinkedHashMap<>(stateMeta); // provenance, method, settings
        meta.put("modej.train.steps", Integer.toString(s.steps()));
        meta.put("modej.train.tokens", Long.toString(tokens));
        meta.put("modej.train.seconds", String.format(java.util.Locale.ROOT, "%.3f", seconds));
        meta.put("modej.train.peak_heap_mib", Long.toString(outcome.peakHeapMiB()));
        meta.put("modej.train.buffer_bytes", Long.toString(outcome.bufferBytes()));
        meta.put("modej.params.trainable", Long.toString(outcome.counts().trainable()));
        Files.createDirectories(out.toAbsolutePath().getParent());
        runner.slabsToHost();
        model.save(out, meta);
        if (state != null) {
            Files.deleteIfExists(state.file());
        }
        return outcome;
    }
}
