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
import modej.tasks.data.BatchSampler;

/**
 * Pretraining a backbone: the {@link TrainingLoop} over random windows of one corpus, with
 * checkpoints that hold everything needed to continue (weights, AdamW moments, step, sampler
 * position), so that a resumed run ends bit-identical to one that never stopped.
 */
public final class Pretrainer {

    /**
     * A pretraining run's settings: the loop's, and how often a checkpoint is written (0 = only at
     * the end and when stopped). Saved into every checkpoint as {@code modej.settings}.
     */
    public record Settings(TrainingSettings training, int checkpointEvery) {
        public Settings {
            if (checkpointEvery < 0) {
                throw new IllegalArgumentException("checkpoint-every must be >= 0, got " + checkpointEvery);
            }
        }

        /**
         * The text saved as {@code modej.settings} and compared on {@code --resume}: that of the record
         * with every field at the top level that this one replaced, so that checkpoints written before
         * still resume. Do not change it.
         */
        @Override
        public String toString() {
            TrainingSettings t = training;
            return "Settings[batch=" + t.batch() + ", seq=" + t.seq() + ", steps=" + t.steps() + ", lr=" + t.lr()
                    + ", adamw=" + t.adamw() + ", evalEvery=" + t.evalEvery() + ", evalBatches=" + t.evalBatches()
                    + ", checkpointEvery=" + checkpointEvery + ", seed=" + t.seed() + ", gradClip=" + t.gradClip() + "]";
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
        return run(startStep, settings.training().steps(), log);
    }

    /** As {@link #run(int, PrintStream)}, but saves and stops after {@code stopAfter} steps as if interrupted. */
    public TrainingLoop.Evaluation run(int startStep, int stopAfter, PrintStream log) throws IOException {
        TrainingSettings s = settings.training();
        runner = Runner.of(params, s.batch(), s.seq(), backend, s.adamw()).clipGradients(s.gradClip());
        Runner evalRunner = Runner.of(params, s.batch(), s.seq(), backend, null);
        BatchSampler sampler = new BatchSampler(trainTokens, s.batch(), s.seq(), s.seed());
        loop = new TrainingLoop(runner, sampler, s.lr(), s.steps(), s.evalEvery(), settings.checkpointEvery(),
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
        meta.put("modej.sampler.seed", Long.toString(settings.training().seed()));
        GptCheckpoint.save(checkpoint, params, meta, true);
    }
}
