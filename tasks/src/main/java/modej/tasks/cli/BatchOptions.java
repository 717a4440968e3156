package modej.tasks.cli;

import picocli.CommandLine.Option;

/** The batch every step or forward pass works on: {@code --batch} sequences of {@code --seq} tokens. */
final class BatchOptions {

    @Option(names = "--batch", defaultValue = "8", description = "Sequences per batch (default: ${DEFAULT-VALUE}).")
    int batch;
    @Option(names = "--seq", description = "Tokens per sequence (default: the model's context length).")
    Integer seq;

    /** {@code --seq}, or the model's {@code context} when it is not given. */
    int seq(int context) {
        return seq != null ? seq : context;
    }
}
