package modej.tasks.experiment;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;

import modej.engine.device.Backend;
import modej.model.checkpoint.CheckpointException;
import modej.model.checkpoint.GptCheckpoint;
import modej.model.gpt.GptParams;
import modej.model.param.AdamWSettings;
import modej.model.tokenizer.ByteTokenizer;
import modej.tasks.data.Corpus;
import modej.tasks.train.LearningRate;
import modej.tasks.train.Pretrainer;
import modej.tasks.train.TrainingLoop;

/**
 * The experiment's backbone as a checkpoint file: the one the file names, or one pretrained into
 * {@code OUT/backbone/checkpoint.safetensors}. Pretraining saves every {@code checkpointEvery} steps
 * and continues from the last save when the experiment is run again; a finished backbone is reused.
 * A backbone pretrained with other settings than the file's is refused rather than silently reused.
 */
final class BackboneSource {

    /** Metadata key holding the pretraining section the backbone was made with, as JSON. */
    static final String SPEC_KEY = "modej.experiment.pretrain";

    private BackboneSource() {
    }

    /** The backbone checkpoint, pretrained first if the spec asks for it and it is not done yet. */
    static Path prepare(BackboneSpec spec, Path out, Backend backend, PrintStream log) throws IOException {
        if (spec.checkpoint() != null) {
            Path file = Path.of(spec.checkpoint());
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("backbone.checkpoint: no such file " + file);
            }
            return file;
        }
        PretrainSpec p = spec.pretrain();
        Path file = out.resolve("backbone").resolve("checkpoint.safetensors");
        String wanted = json(p);
        GptParams params;
        int start = 0;
        if (Files.isRegularFile(file)) {
            Map<String, String> meta = GptCheckpoint.metadata(file);
            if (!wanted.equals(meta.get(SPEC_KEY))) {
                throw new IllegalArgumentException("backbone.pretrain: differs from the settings " + file
                        + " was pretrained with (" + meta.get(SPEC_KEY) + "); delete that file or use another --out");
            }
            start = Integer.parseInt(meta.getOrDefault("modej.step", "0"));
            if (start >= p.steps()) {
                log.printf("backbone: %s (pretrained, %d steps)%n", file, start);
                return file;
            }
            log.printf("backbone: resuming pretraining of %s at step %d%n", file, start);
            params = GptCheckpoint.load(file, true).params();
        } else {
            params = new GptParams(p.model()).init(p.seed()).makeTrainable();
        }
        Corpus.Tokens corpus = Corpus.load(p.corpus(), p.validation(), ByteTokenizer.INSTANCE);
        if (corpus.validation().length < p.seq() + 1 || corpus.train().length < p.seq() + 1) {
            throw new IllegalArgumentException("backbone.pretrain.corpus: " + p.corpus() + " has too few tokens for one sequence of "
                    + (p.seq() + 1) + " in each split; raise backbone.pretrain.validation or use a larger corpus");
        }
        log.println("backbone: " + corpus.describe(p.corpus()));
        log.printf(Locale.ROOT, "backbone: pretraining %d layers, width %d, %d heads, context %d on %s (%,d training tokens) "
                + "for %d steps%n", p.layers(), p.width(), p.heads(), p.context(), p.corpus(), corpus.train().length, p.steps());
        Pretrainer.Settings settings = new Pretrainer.Settings(p.batch(), p.seq(), p.steps(),
                new LearningRate(p.lr(), p.minLr(), p.warmupSteps(), p.steps()),
                new AdamWSettings(AdamWSettings.DEFAULT.beta1(), AdamWSettings.DEFAULT.beta2(), AdamWSettings.DEFAULT.eps(),
                        p.weightDecay()), 0, p.evalBatches(), p.checkpointEvery(), p.seed());
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put(SPEC_KEY, wanted);
        provenance.putAll(corpus.metadata(p.corpus()));
        provenance.put("modej.tokenizer", ByteTokenizer.INSTANCE.name());
        provenance.put("modej.settings", settings.toString());
        provenance.put("modej.java", Runtime.version().toString());
        TrainingLoop.Evaluation end = new Pretrainer(params, settings, backend, corpus.train(), corpus.validation(), file,
                provenance).run(start, log);
        if (end != null) {
            log.printf(Locale.ROOT, "backbone: validation loss %.4f, accuracy %.4f%n", end.loss(), end.accuracy());
        }
        return file;
    }

    /** The backbone's checkpoint file: the given one, or where pretraining puts it. */
    static Path file(BackboneSpec spec, Path out) {
        return spec.checkpoint() != null ? Path.of(spec.checkpoint())
                : out.resolve("backbone").resolve("checkpoint.safetensors");
    }

    /**
     * Whether the backbone is ready without pretraining: a given checkpoint exists, or the pretrained
     * one was made with the spec's settings and reached its last step. Reads only the file's header.
     */
    static boolean finished(BackboneSpec spec, Path out) {
        Path file = file(spec, out);
        if (!Files.isRegularFile(file)) {
            return false;
        }
        if (spec.checkpoint() != null) {
            return true;
        }
        try {
            Map<String, String> meta = GptCheckpoint.metadata(file);
            return json(spec.pretrain()).equals(meta.get(SPEC_KEY))
                    && Integer.parseInt(meta.getOrDefault("modej.step", "0")) >= spec.pretrain().steps();
        } catch (CheckpointException | NumberFormatException e) {
            return false; // not a finished backbone: the unit that pretrains it says why
        }
    }

    /** Loads a backbone for evaluation; a checkpoint problem is a one-line error naming the key. */
    static GptParams load(Path file) {
        return loadWithMetadata(file).params();
    }

    /** As {@link #load}, with the checkpoint's metadata (what it was pretrained on). */
    static GptCheckpoint.Loaded loadWithMetadata(Path file) {
        try {
            return GptCheckpoint.load(file, false);
        } catch (CheckpointException e) {
            throw new IllegalArgumentException("backbone: " + e.getMessage(), e);
        }
    }

    private static String json(PretrainSpec p) {
        try {
            return ExperimentFile.json().writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(p);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
