package modej.tasks.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import modej.engine.device.Backend;
import modej.model.checkpoint.GptCheckpoint;
import modej.model.gpt.GptParams;
import modej.model.gpt.Runner;
import modej.tasks.generate.TextSampler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./modej generate}: sample text from a checkpoint. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Continue a prompt with text sampled from a checkpoint's backbone.")
final class GenerateCommand implements Callable<Integer> {

    @Option(names = "--checkpoint", defaultValue = "runs/pretrain/checkpoint.safetensors",
            description = "Checkpoint to load (default: ${DEFAULT-VALUE}).")
    Path checkpoint;
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
    @Mixin
    BackendOptions backendOptions;

    @Override
    public Integer call() {
        if (!Files.exists(checkpoint)) {
            throw new UserError("no checkpoint at " + checkpoint + " (train one with ./modej pretrain)");
        }
        GptCheckpoint.Loaded loaded = GptCheckpoint.load(checkpoint, false);
        GptParams params = loaded.params();
        int window = params.config().context();
        try (Backend backend = backendOptions.backend()) {
            Runner runner = Runner.of(params, 1, window, backend, null);
            System.out.println(new TextSampler(runner, loaded.tokenizer(), window)
                    .sample(prompt, tokens, temperature, topK, seed));
        }
        return 0;
    }
}
