package modej.tasks.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import modej.engine.device.Backend;
import modej.model.checkpoint.Checkpoint;
import modej.model.checkpoint.GptCheckpoint;
import modej.model.checkpoint.Safetensors;
import modej.model.gpt.DecodeRunner;
import modej.model.gpt.GptConfig;
import modej.model.gpt.GptDecoder;
import modej.model.gpt.GptParams;
import modej.model.tokenizer.ByteTokenizer;
import modej.model.tokenizer.Gpt2Tokenizer;
import modej.model.tokenizer.Tokenizer;
import modej.model.tokenizer.Tokenizers;
import modej.tasks.data.Corpus;
import modej.tasks.generate.TextSampler;
import modej.tasks.train.MemoryPlan;
import modej.tasks.train.OutputLock;
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
    @Mixin
    ModelShapeOptions shape;
    @Mixin
    BatchOptions batchOptions;
    @Mixin
    TrainingOptions training = new TrainingOptions().withSteps(1500).withWarmupSteps(50).withEvalEvery(500).withCheckpointEvery(250);
    @Mixin
    EvaluationOptions evaluation = new EvaluationOptions().withValidation(0.05);
    @Option(names = "--out", defaultValue = "runs/pretrain", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;
    @Option(names = "--resume", description = "Continue from OUT/checkpoint.safetensors; the other options must be those of the original run (checked).")
    boolean resume;
    @Option(names = "--force", description = "Start a new run even if OUT already holds a checkpoint (it is replaced).")
    boolean force;
    @Option(names = "--sample-tokens", defaultValue = "200", description = "Tokens to generate at the end; 0 = none (default: ${DEFAULT-VALUE}).")
    int sampleTokens;
    @Mixin
    BackendOptions backendOptions;

    @Override
    public Integer call() throws Exception {
        // 1. options, and the model they ask for
        if (resume && force) {
            throw new UserError("--resume and --force exclude each other: --resume continues the run in " + out
                    + ", --force starts a new one over it");
        }
        GptConfig base = shape.preset();
        Path checkpoint = out.resolve("checkpoint.safetensors");
        Tokenizer tok = chosenTokenizer(base, checkpoint);
        GptConfig asked = shape.config(base, tok.vocabSize());
        int seqLen = batchOptions.seq(asked.context());
        if (seqLen > asked.context()) {
            throw new UserError("--seq " + seqLen + " exceeds the context length " + asked.context());
        }
        Pretrainer.Settings settings = new Pretrainer.Settings(
                training.settings(batchOptions.batch, seqLen, evaluation.evalBatches), training.checkpointEvery);
        backendOptions.threads(); // checks --threads
        double validation = evaluation.validation;
        if (!(validation > 0 && validation < 1)) {
            throw new UserError("--validation must be in (0, 1), got " + validation);
        }
        // 2. memory: refuse what cannot fit before allocating anything
        int batch = batchOptions.batch;
        MemoryPlan.require(asked, batch, seqLen, MemoryPlan.pretrainBytes(asked, batch, seqLen),
                "--batch, --seq, --layers or --width");
        // 3. the output: locked (which creates the folder and proves it writable), and not a finished run
        try (OutputLock lock = OutputLock.acquire(out.resolve("pretrain.lock"), "--out " + out)) {
            if (resume && !Files.exists(checkpoint)) {
                throw new UserError("--resume: no checkpoint at " + checkpoint);
            }
            if (!resume && !force && Files.exists(checkpoint)) {
                throw new UserError(checkpoint + " exists: continue that run with --resume (and its options), "
                        + "or pass --force to start a new one over it");
            }
            return train(asked, settings, validation, checkpoint, tok);
        }
    }

    private int train(GptConfig asked, Pretrainer.Settings settings, double validation, Path checkpoint, Tokenizer tok) throws Exception {
        // 4. the data
        Corpus.Tokens data = Corpus.load(corpus, validation, tok);
        if (data.validation().length < settings.training().seq() + 1) {
            throw new UserError("corpus " + corpus + ": the validation split has " + data.validation().length
                    + " tokens, fewer than one sequence (" + (settings.training().seq() + 1) + "); raise --validation or use a larger corpus");
        }
        Map<String, String> provenance = new LinkedHashMap<>(data.metadata(corpus));
        provenance.put(Tokenizers.METADATA_KEY, tok.name());
        provenance.put("modej.settings", settings.toString());
        provenance.put("modej.java", Runtime.version().toString());
        // 5. the weights: new, or the stopped run's, which must be the same run
        GptParams params;
        int startStep = 0;
        if (resume) {
            checkSameRun(checkpoint, asked, provenance);
            GptCheckpoint.Loaded loaded = GptCheckpoint.load(checkpoint, true);
            params = loaded.params();
            startStep = Integer.parseInt(loaded.metadata().getOrDefault("modej.step", "0"));
            System.err.printf("resuming %s at step %d%n", checkpoint, startStep);
        } else {
            params = new GptParams(asked).init(training.seed).makeTrainable();
        }
        GptConfig config = params.config();
        System.err.println(data.describe(corpus));
        System.err.printf("model: %s, %,d parameters, %s tokenizer; %s; graph buffers about %.1f MiB%n", config,
                config.parameterCount(), tok.name(), config.memoryEstimate(),
                MemoryPlan.pretrainBytes(config, settings.training().batch(), settings.training().seq()) / 1048576.0);
        if (training.gradClip > 0) {
            System.err.printf("gradients clipped at global norm %s%n", training.gradClip);
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
            if (sampleTokens > 0 && !StopOnInterrupt.stopping()) {
                DecodeRunner one = new DecodeRunner(new GptDecoder(params, null, 1), backend);
                String text = new TextSampler(one, tok).sample("The ", sampleTokens, 0.8f, 40, training.seed);
                System.out.println("sample: " + text.replace('\n', ' '));
            }
            if (backendOptions.profile) {
                ProfilePrinter.print(System.err, backend);
            }
        }
        return 0;
    }

    /**
     * A resumed run must be the same model, trained on the same data with the same settings, or it
     * is not a continuation: the checkpoint's model, settings (grad-clip included) and corpus
     * fingerprint must equal this call's.
     */
    private static void checkSameRun(Path checkpoint, GptConfig asked, Map<String, String> now) {
        Checkpoint ckpt = Safetensors.read(checkpoint);
        Map<String, String> saved = ckpt.metadata();
        GptConfig was = GptCheckpoint.config(ckpt);
        if (!was.equals(asked)) {
            throw new UserError("--resume: the checkpoint's model is " + describe(was) + ", these options ask for "
                    + describe(asked) + "; pass the options of the original run");
        }
        for (String key : List.of("modej.corpus.fingerprint", "modej.settings")) {
            if (!now.get(key).equals(saved.get(key))) {
                throw new UserError("--resume: " + key + " differs from the checkpoint's (" + saved.get(key)
                        + " vs " + now.get(key) + "); pass the same options as the original run");
            }
        }
    }

    /**
     * The tokenizer: {@code --tokenizer}; on {@code --resume} the checkpoint's (a different
     * {@code --tokenizer} is an error); otherwise GPT-2's BPE for the GPT-2 presets and bytes for the rest.
     */
    private Tokenizer chosenTokenizer(GptConfig preset, Path checkpoint) {
        Tokenizer asked = shape.tokenizer == null ? null : Tokenizers.byName(shape.tokenizer);
        if (resume && Files.exists(checkpoint)) {
            Tokenizer saved = Tokenizers.of(GptCheckpoint.metadata(checkpoint));
            if (asked != null && !asked.name().equals(saved.name())) {
                throw new UserError("--tokenizer " + shape.tokenizer + ": the checkpoint was trained with " + saved.name());
            }
            return saved;
        }
        return asked != null ? asked : Tokenizers.byName(preset.vocab() == Gpt2Tokenizer.VOCAB ? "gpt2" : "bytes");
    }

    private static String describe(GptConfig c) {
        return "--layers " + c.layers() + " --width " + c.width() + " --heads " + c.heads() + " --context " + c.context();
    }
}
