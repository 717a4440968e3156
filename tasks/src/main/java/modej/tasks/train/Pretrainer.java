package modej.tasks.train;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import modej.engine.device.Backend;
import modej.model.checkpoint.GptCheckpoint;
import modej.model.gpt.GptParams;
import modej.model.gpt.Runner;
import modej.model.param.AdamWSettings;
import modej.tasks.data.BatchSampler;

/**
 * Pretraining a backbone: the {@link TrainingLoop} over random windows of one corpus, with
 * checkpoints that hold everything needed to continue (weights, AdamW moments, step, sampler
 * position), so that a resumed run ends bit-identical to one that never stopped.
 */
public final class Pretrainer {

    /**
     * The run's settings; saved into every checkpoint.
     *
     * @param gradClip largest global L2 norm of the gradients (larger ones are scaled down); 0 = no clipping
     */
    public record Settings(int batch, int seq, int steps, LearningRate lr, AdamWSettings adamw,
                           int evalEvery, int evalBatches, int checkpointEvery, long seed, float gradClip) {
        public Settings {
            if (batch < 1 || seq < 1 || steps < 1) {
                throw new IllegalArgumentException("batch, seq and steps must be >= 1");
            }
            if (evalEvery < 0 || evalBatches < 1 || checkpointEvery < 0) {
                throw new IllegalArgumentException("eval-every and checkpoint-every must be >= 0, eval-batches >= 1");
            }
            if (!(gradClip >= 0) || Float.isInfinite(gradClip)) {
                throw new IllegalArgumentException("--grad-clip must be a finite number >= 0 (0 = off), got " + gradClip);
            }
        }
    }

    private final GptParams params;
    private final Settings settings;
    private final Backend backend;
    private final int[] trainTokens;
    private final int[] validationTokens;
    private final Path checkpoint;
    private final Map<String, String> provenance;
    private volatile TrainingLoop loop;
    private Runner runner;
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
        TrainingLoop l = loop;
        if (l != null) {
            l.requestStop();
        }
    }

    /** Trains from {@code startStep} (0 fresh, the checkpoint's step on resume) to the end. */
    public TrainingLoop.Evaluation run(int startStep, PrintStream log) throws IOException {
        return run(startStep, settings.steps(), log);
    }

    /** As {@link #run(int, PrintStream)}, but saves and stops after {@code stopAfter} steps as if interrupted. */
    public TrainingLoop.Evaluation run(int startStep, int stopAfter, PrintStream log) throws IOException {
        Settings s = settings;
        runner = Runner.of(params, s.batch(), s.seq(), backend, s.adamw()).clipGradients(s.gradClip());
        Runner evalRunner = Runner.of(params, s.batch(), s.seq(), backend, null);
        BatchSampler sampler = new BatchSampler(trainTokens, s.batch(), s.seq(), s.seed());
        loop = new TrainingLoop(runner, sampler, s.lr(), s.steps(), s.evalEvery(), s.checkpointEvery(),
                () -> Validation.run(evalRunner, validationTokens, s.batch(), s.seq(), s.evalBatches()), this::save);
        if (stopRequested) {
            loop.requestStop();
        }
        return loop.run("pretrain", startStep, stopAfter, log);
    }

    private void save(int step) throws IOException {
        runner.slabsToHost();
        Files.createDirectories(checkpoint.toAbsolutePath().getParent());
        Map<String, String> meta = new LinkedHashMap<>(provenance);
        meta.put("modej.step", Integer.toString(step));
        meta.put("modej.sampler.position", Integer.toString(step));
        meta.put("modej.sampler.seed", Long.toString(settings.seed()));
        GptCheckpoint.save(checkpoint, params, meta, true);
    }
}
