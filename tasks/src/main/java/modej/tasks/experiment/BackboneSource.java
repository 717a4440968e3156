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
import modej.model.checkpoint.HuggingFaceGpt2;
import modej.model.gpt.GptParams;
import modej.model.param.AdamWSettings;
import modej.model.tokenizer.ByteTokenizer;
import modej.tasks.data.Corpus;
import modej.tasks.train.LearningRate;
import modej.tasks.train.MemoryPlan;
import modej.tasks.train.Pretrainer;
import modej.tasks.train.TrainingSettings;
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
        if (spec.huggingface() != null) {
            return imported(Path.of(spec.huggingface()), file(spec, out), log);
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
            MemoryPlan.require(p.model(), p.batch(), p.seq(), MemoryPlan.pretrainBytes(p.model(), p.batch(), p.seq()),
                    "backbone.pretrain batch, seq, layers or width");
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
        Pretrainer.Settings settings = new Pretrainer.Settings(new TrainingSettings(p.batch(), p.seq(), p.steps(),
                new LearningRate(p.lr(), p.minLr(), p.warmupSteps(), p.steps()),
                new AdamWSettings(AdamWSettings.DEFAULT.beta1(), AdamWSettings.DEFAULT.beta2(), AdamWSettings.DEFAULT.eps(),
                        p.weightDecay()), 0, p.evalBatches(), p.seed(), 0f), p.checkpointEvery());
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

    /**
     * The Hugging Face GPT-2 in {@code dir} as a native checkpoint {@code file}, imported once and
     * reused while it names the same directory.
     */
    private static Path imported(Path dir, Path file, PrintStream log) throws IOException {
        String source = dir.toAbsolutePath().normalize().toString();
        if (importedFrom(dir, file)) {
            log.printf("backbone: %s (imported from %s)%n", file, source);
            return file;
        }
        HuggingFaceGpt2.Imported hf;
        try {
            hf = HuggingFaceGpt2.read(dir);
        } catch (CheckpointException e) {
            throw new IllegalArgumentException("backbone.huggingface: " + e.getMessage(), e);
        }
        Files.createDirectories(file.getParent());
        GptCheckpoint.save(file, hf.params(), hf.metadata(), false);
        log.printf("backbone: imported %s (%,d parameters, %s tokenizer) into %s%n", source,
                hf.params().config().parameterCount(), hf.tokenizer().name(), file);
        return file;
    }

    /** Whether {@code file} is a checkpoint imported from the Hugging Face directory {@code dir}. */
    private static boolean importedFrom(Path dir, Path file) {
        return Files.isRegularFile(file) && dir.toAbsolutePath().normalize().toString()
                .equals(GptCheckpoint.metadata(file).get(HuggingFaceGpt2.SOURCE_KEY));
    }

    /** The backbone's checkpoint file: the given one, or where importing or pretraining puts it. */
    static Path file(BackboneSpec spec, Path out) {
        if (spec.checkpoint() != null) {
            return Path.of(spec.checkpoint());
        }
        return out.resolve("backbone").resolve(spec.huggingface() != null ? "imported.safetensors" : "checkpoint.safetensors");
    }

    /**
     * Whether the backbone is ready without pretraining or importing: a given checkpoint exists, the
     * imported one came from the spec's directory, or the pretrained one was made with the spec's
     * settings and reached its last step. Reads only the file's header.
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
            if (spec.huggingface() != null) {
                return importedFrom(Path.of(spec.huggingface()), file);
            }
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
