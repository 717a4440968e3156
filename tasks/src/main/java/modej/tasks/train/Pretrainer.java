package modej.tasks.train;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import modej.engine.device.Backend;
import modej.model.checkpoint.GptCheckpoint;
import modej.model.gpt.GptParams;
import modej.model.gpt.GptRunner;
import modej.model.param.AdamWSettings;
import modej.tasks.data.BatchSampler;

/**
 * The pretraining loop: a batch per step from a seeded sampler, the learning-rate schedule,
 * validation at intervals, and checkpoints that hold everything needed to continue (weights,
 * AdamW moments, step, sampler position), so that a resumed run ends bit-identical to one that
 * never stopped.
 */
public final class Pretrainer {

    /** The run's settings; saved into every checkpoint. */
    public record Settings(int batch, int seq, int steps, LearningRate lr, AdamWSettings adamw,
                           int evalEvery, int evalBatches, int checkpointEvery, long seed) {
        public Settings {
            if (batch < 1 || seq < 1 || steps < 1) {
                throw new IllegalArgumentException("batch, seq and steps must be >= 1");
            }
            if (evalEvery < 0 || evalBatches < 1 || checkpointEvery < 0) {
                throw new IllegalArgumentException("eval-every and checkpoint-every must be >= 0, eval-batches >= 1");
            }
        }
    }

    /** Loss and accuracy on the validation stream. */
    public record Evaluation(int step, double loss, double accuracy) {
    }

    private final GptParams params;
    private final Settings settings;
    private final Backend backend;
    private final int[] trainTokens;
    private final int[] validationTokens;
    private final Path checkpoint;
    private final Map<String, String> provenance;
    private volatile boolean stopRequested;

    /**
     * @param checkpoint where checkpoints are written (atomically replaced each time)
     * @param provenance extra metadata saved with every checkpoint (corpus, tokenizer, versions)
     */
    public Pretrainer(GptParams params, Settings settings, Backend backend, int[] trainTokens, int[] validationTokens,
                      Path checkpoint, Map<String, String> provenance) {
        this.params = params;
        this.settings = settings;
        this.backend = backend;
        this.trainTokens = trainTokens;
        this.validationTokens = validationTokens;
        this.checkpoint = checkpoint;
        this.provenance = provenance;
    }

    /** Asks the loop to save and stop after the current step (e.g. from a shutdown hook). */
    public void requestStop() {
        stopRequested = true;
    }

    /**
     * Trains from {@code startStep} (0 for a fresh run, the checkpoint's step on resume) to
     * {@code settings.steps()}, and returns the last validation result.
     */
    public Evaluation run(int startStep, PrintStream log) throws java.io.IOException {
        return run(startStep, settings.steps(), log);
    }

    /** As {@link #run(int, PrintStream)}, but saves and stops after {@code stopAfter} steps as if interrupted. */
    public Evaluation run(int startStep, int stopAfter, PrintStream log) throws java.io.IOException {
        Settings s = settings;
        GptRunner runner = new GptRunner(params, s.batch(), s.seq(), backend, s.adamw());
        GptRunner evalRunner = new GptRunner(params, s.batch(), s.seq(), backend, null);
        BatchSampler sampler = new BatchSampler(trainTokens, s.batch(), s.seq(), s.seed());
        sampler.seek(startStep);
        int n = s.batch() * s.seq();
        int[] inputs = new int[n], targets = new int[n];
        Evaluation last = null;
        long tokensDone = 0;
        try (Progress progress = new Progress("pretrain", startStep, Math.min(stopAfter, s.steps()), log)) {
            for (int step = startStep + 1; step <= s.steps(); step++) {
                sampler.next(inputs, targets);
                GptRunner.Result r = runner.trainStep(inputs, targets, s.lr().at(step), step);
                if (!Double.isFinite(r.loss())) {
                    save(step);
                    throw new IllegalStateException("loss is " + r.loss() + " at step " + step
                            + "; checkpoint saved; try a lower --lr");
                }
                tokensDone += n;
                progress.step(step, r.loss(), tokensDone);
                boolean end = step == s.steps();
                if (end || (s.evalEvery() > 0 && step % s.evalEvery() == 0)) {
                    last = evaluate(evalRunner, step);
                    progress.println(String.format("step %d: validation loss %.4f, accuracy %.4f", step, last.loss(), last.accuracy()));
                }
                boolean stop = stopRequested || step == stopAfter;
                if (end || stop || (s.checkpointEvery() > 0 && step % s.checkpointEvery() == 0)) {
                    save(step);
                }
                if (stop && !end) {
                    progress.println("stopped at step " + step + "; checkpoint saved to " + checkpoint + " (continue with --resume)");
                    break;
                }
            }
        }
        return last;
    }

    /** Mean loss and accuracy over the first {@code evalBatches} non-overlapping validation windows. */
    public Evaluation evaluate(GptRunner evalRunner, int step) {
        Settings s = settings;
        int n = s.batch() * s.seq();
        int[] inputs = new int[n], targets = new int[n];
        double loss = 0, acc = 0;
        long rows = 0;
        int window = s.seq() + 1;
        int available = validationTokens.length / window;
        int batches = Math.min(s.evalBatches(), Math.max(1, (available + s.batch() - 1) / s.batch()));
        for (int b = 0; b < batches; b++) {
            for (int i = 0; i < s.batch(); i++) {
                int w = b * s.batch() + i;
                for (int t = 0; t < s.seq(); t++) {
                    int at = w * window + t;
                    boolean ok = w < available;
                    inputs[i * s.seq() + t] = ok ? validationTokens[at] : 0;
                    targets[i * s.seq() + t] = ok ? validationTokens[at + 1] : -1;
                }
            }
            GptRunner.Result r = evalRunner.evaluate(inputs, targets);
            if (r.rows() > 0) {
                loss += r.loss() * r.rows();
                acc += r.accuracy() * r.rows();
                rows += r.rows();
            }
        }
        return new Evaluation(step, loss / rows, acc / rows);
    }

    private void save(int step) throws java.io.IOException {
        Files.createDirectories(checkpoint.toAbsolutePath().getParent());
        Map<String, String> meta = new LinkedHashMap<>(provenance);
        meta.put("modej.step", Integer.toString(step));
        meta.put("modej.sampler.position", Integer.toString(step));
        meta.put("modej.sampler.seed", Long.toString(settings.seed()));
        GptCheckpoint.save(checkpoint, params, meta, true);
    }
}
