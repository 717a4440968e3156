package modej.tasks.train;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Locale;

import modej.model.gpt.Runner;
import modej.tasks.data.Batches;

/**
 * The step loop every training method shares: a batch per step from a seekable source, the
 * learning-rate schedule, validation at intervals, checkpoints at intervals, at the end and when
 * asked to stop. Everything that decides a step is a function of the step number and the saved
 * state, so a run resumed from a checkpoint continues bit for bit.
 */
public final class TrainingLoop {

    /** Writes a checkpoint for the state after {@code step}. */
    public interface Checkpointer {
        void save(int step) throws IOException;
    }

    /** Validates the current weights. */
    public interface Validator {
        Validation.Result validate();
    }

    /**
     * Sees every step's training loss, on the training thread. Implementations should not allocate
     * per call (see {@link LossCurve}), so that the loop stays allocation-free.
     */
    @FunctionalInterface
    public interface StepListener {
        void afterStep(int step, double loss);
    }

    /** A validation result at a step. */
    public record Evaluation(int step, Validation.Result result) {
        public double loss() {
            return result.loss();
        }

        public double accuracy() {
            return result.accuracy();
        }
    }

    private final Runner runner;
    private final Batches batches;
    private final LearningRate lr;
    private final int steps, evalEvery, checkpointEvery;
    private final Validator validator;
    private final Checkpointer checkpointer;
    private volatile boolean stopRequested;
    private StepListener listener = (step, loss) -> { };

    /** @param validator validates at {@code evalEvery} and at the end; null for no validation */
    public TrainingLoop(Runner runner, Batches batches, LearningRate lr, int steps, int evalEvery, int checkpointEvery,
                        Validator validator, Checkpointer checkpointer) {
        this.runner = runner;
        this.batches = batches;
        this.lr = lr;
        this.steps = steps;
        this.evalEvery = evalEvery;
        this.checkpointEvery = checkpointEvery;
        this.validator = validator;
        this.checkpointer = checkpointer;
    }

    /** Calls {@code l} after every step with the step's training loss; returns this loop. */
    public TrainingLoop onStep(StepListener l) {
        this.listener = l;
        return this;
    }

    /** Asks the loop to save and stop after the current step (e.g. from a shutdown hook). */
    public void requestStop() {
        stopRequested = true;
    }

    /**
     * Trains steps {@code startStep+1 … min(stopAfter, steps)} and returns the last validation
     * (null if none ran, as with no validator). Stopping before the last step saves a checkpoint,
     * as an interruption would.
     */
    public Evaluation run(String task, int startStep, int stopAfter, PrintStream log) throws IOException {
        int n = runner.graphs().tokens().length();
        int[] inputs = new int[n], targets = new int[n];
        batches.seek(startStep);
        Evaluation last = null;
        long tokensDone = 0;
        int lastSaved = startStep;
        try (Progress progress = new Progress(task, startStep, Math.min(stopAfter, steps), log)) {
            for (int step = startStep + 1; step <= steps; step++) {
                batches.next(inputs, targets);
                Runner.Result r = runner.trainStep(inputs, targets, lr.at(step), step);
                if (!Double.isFinite(r.loss()) || !Double.isFinite(runner.lastGradNorm())) {
                    // the runner applied no update: nothing non-finite reached the weights
                    throw diverged(step, String.format(Locale.ROOT, "loss %.4g, gradient norm %.4g", r.loss(),
                            runner.lastGradNorm()), lastSaved);
                }
                tokensDone += n;
                listener.afterStep(step, r.loss());
                progress.step(step, r.loss(), tokensDone);
                boolean end = step == steps;
                if (validator != null && (end || (evalEvery > 0 && step % evalEvery == 0))) {
                    last = new Evaluation(step, validator.validate());
                    progress.println(String.format("step %d: validation loss %.4f, accuracy %.4f", step, last.loss(), last.accuracy()));
                }
                boolean stop = stopRequested || step == stopAfter;
                if (end || stop || (checkpointEvery > 0 && step % checkpointEvery == 0)) {
                    runner.slabsToHost();
                    if (!runner.slabsFinite()) {
                        throw diverged(step, String.format(Locale.ROOT, "loss %.4g, but the updated weights are not finite",
                                r.loss()), lastSaved);
                    }
                    checkpointer.save(step);
                    lastSaved = step;
                }
                if (stop && !end) {
                    progress.println("stopped at step " + step + "; checkpoint saved (continue with --resume)");
                    break;
                }
            }
        }
        return last;
    }

    /** The one-line report of a run that stopped at {@code step}: what was found, what is kept, what to try. */
    private TrainingDiverged diverged(int step, String what, int lastSaved) {
        String kept = lastSaved > 0 ? "the checkpoint of step " + lastSaved + " is kept" : "no checkpoint was written";
        return new TrainingDiverged(step, "training diverged at step " + step + " (" + what + "); stopped without saving it, "
                + kept + "; try a lower --lr (now " + lr.peak() + ") or --grad-clip 1.0");
    }
}
