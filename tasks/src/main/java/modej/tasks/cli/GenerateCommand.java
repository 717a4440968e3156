package modej.tasks.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import modej.engine.device.Backend;
import modej.model.gpt.DecodeRunner;
import modej.model.gpt.Runner;
import modej.tasks.generate.SavedModel;
import modej.tasks.generate.TextSampler;
import modej.tasks.generate.WindowSampler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./modej generate}: sample text from any checkpoint the tool saves. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Continue a prompt with text sampled from any saved model.",
                "A backbone (pretrain), a full fine-tuning, or, with their backbone, a LoRA adapter or a MoDE",
                "model (train, experiment).",
                "Generation keeps key/value caches, so each token costs one step over the text so far."})
final class GenerateCommand implements Callable<Integer> {

    static final Path PRETRAINED = Path.of("runs/pretrain/checkpoint.safetensors");
    static final Path EXPERIMENTS = Path.of("runs/experiments");

    @Option(names = "--checkpoint", paramLabel = "FILE",
            description = {"Checkpoint to sample from; its kind is read from its metadata. Default: "
                    + "runs/pretrain/checkpoint.safetensors, else the newest runs/experiments/*/backbone/checkpoint.safetensors."})
    Path checkpoint;
    @Option(names = "--backbone", paramLabel = "FILE",
            description = "The backbone a LoRA, MoDE or BTX checkpoint was trained on (default: the experiment's, "
                    + "DIR/backbone/checkpoint.safetensors for DIR/runs/RUN/model.safetensors).")
    Path backbone;
    @Option(names = "--prompt", defaultValue = "The ", description = "Text to continue (default: '${DEFAULT-VALUE}').")
    String prompt;
    @Option(names = "--tokens", defaultValue = "200", description = "Tokens to generate (default: ${DEFAULT-VALUE}).")
    int tokens;
    @Option(names = "--temperature", defaultValue = "0.8", description = "Sampling temperature; 0 = greedy (default: ${DEFAULT-VALUE}).")
    float temperature;
    @Option(names = "--top-k", defaultValue = "40", description = "Sample among the k most likely tokens; 0 = all (default: ${DEFAULT-VALUE}).")
    int topK;
    @Option(names = "--seed", defaultValue = "1", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--time", paramLabel = "N", defaultValue = "0",
            description = "Instead of printing, generate N times with the caches and N times recomputing the window, "
                    + "and print the median seconds of each (default: ${DEFAULT-VALUE}, off).")
    int time;
    @Mixin
    BackendOptions backendOptions;

    @Override
    public Integer call() throws IOException {
        if (tokens < 0 || temperature < 0 || topK < 0 || time < 0) {
            throw new UserError("--tokens, --temperature, --top-k and --time must be >= 0");
        }
        Path file = checkpoint != null ? checkpoint : defaultCheckpoint(Path.of(""));
        SavedModel saved = SavedModel.load(file, backbone);
        if (checkpoint == null) {
            System.err.println("sampling from " + file + " (" + saved.kind() + ")");
        }
        try (Backend backend = backendOptions.backend()) {
            TextSampler sampler = new TextSampler(new DecodeRunner(saved.model().decoder(1), backend), saved.tokenizer());
            if (time == 0) {
                System.out.println(sampler.sample(prompt, tokens, temperature, topK, seed));
                return 0;
            }
            int window = saved.model().backbone().config().context();
            WindowSampler slow = new WindowSampler(new Runner(saved.model().graphs(1, window), backend, null),
                    saved.tokenizer(), window);
            double cached = median(() -> sampler.sample(prompt, tokens, temperature, topK, seed));
            double recomputed = median(() -> slow.sample(prompt, tokens, temperature, topK, seed));
            System.out.printf(Locale.ROOT, "%d tokens from a %d-byte prompt, %s model, context %d, median of %d runs after "
                            + "one warm-up: with key/value caches %.3f s, recomputing the window %.3f s (%.1fx)%n",
                    tokens, prompt.length(), saved.kind(), window, time, cached, recomputed, recomputed / cached);
        }
        return 0;
    }

    private double median(Runnable generate) {
        generate.run();   // warm-up: compilation and the JIT
        double[] s = new double[time];
        for (int i = 0; i < time; i++) {
            long t0 = System.nanoTime();
            generate.run();
            s[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(s);
        return time % 2 == 1 ? s[time / 2] : (s[time / 2 - 1] + s[time / 2]) / 2;
    }

    /** runs/pretrain's checkpoint, else the newest experiment backbone; a one-line error naming both when neither exists. */
    static Path defaultCheckpoint(Path root) throws IOException {
        if (Files.isRegularFile(root.resolve(PRETRAINED))) {
            return root.resolve(PRETRAINED);
        }
        if (Files.isDirectory(root.resolve(EXPERIMENTS))) {
            try (Stream<Path> dirs = Files.list(root.resolve(EXPERIMENTS))) {
                List<Path> found = dirs.map(d -> d.resolve("backbone").resolve("checkpoint.safetensors"))
                        .filter(Files::isRegularFile).toList();
                if (!found.isEmpty()) {
                    return found.stream().max(Comparator.comparing(GenerateCommand::modified)).orElseThrow();
                }
            }
        }
        throw new UserError("no checkpoint at " + PRETRAINED + " nor at " + EXPERIMENTS
                + "/*/backbone/checkpoint.safetensors; train one (./modej pretrain or ./modej experiment FILE) or give --checkpoint FILE");
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }
}
