package modej.tasks.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import modej.engine.device.Backend;
import modej.model.checkpoint.GptCheckpoint;
import modej.model.gpt.DecodeRunner;
import modej.model.gpt.GptConfig;
import modej.model.gpt.GptDecoder;
import modej.model.gpt.GptParams;
import modej.model.param.AdamWSettings;
import modej.model.tokenizer.ByteTokenizer;
import modej.model.tokenizer.Gpt2Tokenizer;
import modej.model.tokenizer.Tokenizer;
import modej.model.tokenizer.Tokenizers;
import modej.tasks.data.Corpus;
import modej.tasks.generate.TextSampler;
import modej.tasks.train.LearningRate;
import modej.tasks.train.Pretrainer;
import modej.tasks.train.TrainingLoop;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./modej pretrain}: train a backbone from scratch (or continue one with --resume). */
@Command(name = "pretrain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Pretrain a GPT backbone on a text corpus, with validation, checkpoints and resume.",
                "With no options: a tiny backbone on WordNet 3.1 glosses for a few minutes on 2 cores,",
                "then the validation loss and a generated sample."})
final class PretrainCommand implements Callable<Integer> {

    @Option(names = "--corpus", defaultValue = "wordnet", paramLabel = "SPEC",
            description = "Text file, folder or glob (e.g. 'books/*.txt'), jsonl:FILE?template={text}, "
                    + "zip:FILE?ext=.java, or a built-in corpus fetched by Maven: wordnet (WordNet 3.1 glosses, "
                    + "alias english), code or math?count=20000&seed=0; see train --help (default: ${DEFAULT-VALUE}).")
    String corpus;
    @Option(names = "--preset", defaultValue = "tiny", description = "Model size: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
            completionCandidates = Presets.class)
    String preset;
    @Option(names = "--tokenizer", paramLabel = "NAME", description = "bytes (256 ids) or gpt2 (GPT-2's BPE, "
            + "r50k_base, 50,257 ids); sets the vocabulary (default: gpt2 for the gpt2* presets, else bytes; "
            + "with --resume the checkpoint's).")
    String tokenizer;
    @Option(names = "--layers", description = "Override the preset's layers.")
    Integer layers;
    @Option(names = "--width", description = "Override the preset's width.")
    Integer width;
    @Option(names = "--heads", description = "Override the preset's heads.")
    Integer heads;
    @Option(names = "--context", description = "Override the preset's context length.")
    Integer context;
    @Option(names = "--batch", defaultValue = "8", description = "Sequences per step (default: ${DEFAULT-VALUE}).")
    int batch;
    @Option(names = "--seq", description = "Tokens per sequence (default: the context length).")
    Integer seq;
    @Option(names = "--steps", defaultValue = "1500", description = "Training steps (default: ${DEFAULT-VALUE}).")
    int steps;
    @Option(names = "--lr", defaultValue = "1e-3", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    float lr;
    @Option(names = "--min-lr", defaultValue = "1e-4", description = "Learning rate at the end of the cosine decay (default: ${DEFAULT-VALUE}).")
    float minLr;
    @Option(names = "--warmup-steps", defaultValue = "50", description = "Linear warm-up steps (default: ${DEFAULT-VALUE}).")
    int warmupSteps;
    @Option(names = "--weight-decay", defaultValue = "0.1", description = "AdamW weight decay on matrices (default: ${DEFAULT-VALUE}).")
    float weightDecay;
    @Option(names = "--eval-every", defaultValue = "500", description = "Validate every N steps; 0 = only at the end (default: ${DEFAULT-VALUE}).")
    int evalEvery;
    @Option(names = "--eval-batches", defaultValue = "8", description = "Validation batches (default: ${DEFAULT-VALUE}).")
    int evalBatches;
    @Option(names = "--checkpoint-every", defaultValue = "250", description = "Save every N steps; 0 = only at the end (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;
    @Option(names = "--validation", defaultValue = "0.05", description = "Fraction of documents held out, by content hash (default: ${DEFAULT-VALUE}).")
    double validation;
    @Option(names = "--seed", defaultValue = "1337", description = "Seed for weights and batches (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--out", defaultValue = "runs/pretrain", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;
    @Option(names = "--resume", description = "Continue from OUT/checkpoint.safetensors; the other options must be those of the original run (checked).")
    boolean resume;
    @Option(names = "--sample-tokens", defaultValue = "200", description = "Tokens to generate at the end; 0 = none (default: ${DEFAULT-VALUE}).")
    int sampleTokens;
    @Mixin
    BackendOptions backendOptions;

    /** Preset names for --help. */
    static final class Presets implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return GptConfig.PRESETS.keySet().stream().sorted().iterator();
        }
    }

    @Override
    public Integer call() throws Exception {
        Path checkpoint = out.resolve("checkpoint.safetensors");
        GptParams params;
        Tokenizer tok;
        int startStep = 0;
        if (resume) {
            if (!Files.exists(checkpoint)) {
                throw new UserError("--resume: no checkpoint at " + checkpoint);
            }
            GptCheckpoint.Loaded loaded = GptCheckpoint.load(checkpoint, true);
            params = loaded.params();
            tok = loaded.tokenizer();
            if (tokenizer != null && !Tokenizers.byName(tokenizer).name().equals(tok.name())) {
                throw new UserError("--tokenizer " + tokenizer + ": the checkpoint was trained with " + tok.name());
            }
            startStep = Integer.parseInt(loaded.metadata().getOrDefault("modej.step", "0"));
            System.err.printf("resuming %s at step %d%n", checkpoint, startStep);
        } else {
            GptConfig base = GptConfig.preset(preset);
            tok = Tokenizers.byName(tokenizer != null ? tokenizer : base.vocab() == Gpt2Tokenizer.VOCAB ? "gpt2" : "bytes");
            GptConfig config = new GptConfig(tok.vocabSize(), context != null ? context : base.context(),
                    layers != null ? layers : base.layers(), heads != null ? heads : base.heads(),
                    width != null ? width : base.width(), base.tiedHead());
            params = new GptParams(config).init(seed).makeTrainable();
        }
        GptConfig config = params.config();
        int seqLen = seq != null ? seq : config.context();
        if (seqLen > config.context()) {
            throw new UserError("--seq " + seqLen + " exceeds the context length " + config.context());
        }
        Corpus.Tokens data = Corpus.load(corpus, validation, tok);
        if (data.validation().length < seqLen + 1) {
            throw new UserError("corpus " + corpus + ": the validation split has " + data.validation().length
                    + " tokens, fewer than one sequence (" + (seqLen + 1) + "); raise --validation or use a larger corpus");
        }
        System.err.println(data.describe(corpus));
        System.err.printf("model: %s, %,d parameters, %s tokenizer; %s%n", config, config.parameterCount(), tok.name(),
                config.memoryEstimate());

        Pretrainer.Settings settings = new Pretrainer.Settings(batch, seqLen, steps,
                new LearningRate(lr, minLr, warmupSteps, steps),
                new AdamWSettings(AdamWSettings.DEFAULT.beta1(), AdamWSettings.DEFAULT.beta2(), AdamWSettings.DEFAULT.eps(), weightDecay),
                evalEvery, evalBatches, checkpointEvery, seed);
        Map<String, String> provenance = new LinkedHashMap<>(data.metadata(corpus));
        provenance.put(Tokenizers.METADATA_KEY, tok.name());
        provenance.put("modej.settings", settings.toString());
        provenance.put("modej.java", Runtime.version().toString());
        if (resume) {
            checkSameRun(checkpoint, provenance);
        }
        try (Backend backend = backendOptions.backend()) {
            Pretrainer trainer = new Pretrainer(params, settings, backend, data.train(), data.validation(), checkpoint, provenance);
            int from = startStep;
            TrainingLoop.Evaluation result = StopOnInterrupt.run(trainer::requestStop, () -> trainer.run(from, System.err));
            if (result != null) {
                String bits = tok instanceof ByteTokenizer ? String.format(" (%.3f bits/byte)", result.loss() / Math.log(2)) : "";
                System.out.printf("validation loss %.4f%s, next-token accuracy %.4f after %d steps%n",
                        result.loss(), bits, result.accuracy(), result.step());
            }
            System.out.println("checkpoint: " + checkpoint);
            if (sampleTokens > 0) {
                DecodeRunner one = new DecodeRunner(new GptDecoder(params, null, 1), backend);
                String text = new TextSampler(one, tok).sample("The ", sampleTokens, 0.8f, 40, seed);
                System.out.println("sample: " + text.replace('\n', ' '));
            }
            if (backendOptions.profile) {
                ProfilePrinter.print(System.err, backend);
            }
        }
        return 0;
    }

    /** A resumed run must train on the same data with the same settings, or it is not a continuation. */
    private static void checkSameRun(Path checkpoint, Map<String, String> now) {
        Map<String, String> saved = GptCheckpoint.metadata(checkpoint);
        for (String key : List.of("modej.corpus.fingerprint", "modej.settings")) {
            if (saved.containsKey(key) && !saved.get(key).equals(now.get(key))) {
                throw new UserError("--resume: " + key + " differs from the checkpoint's (" + saved.get(key)
                        + " vs " + now.get(key) + "); pass the same options as the original run");
            }
        }
    }
}
