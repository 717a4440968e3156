package modej.tasks.cli;

import modej.model.param.AdamWSettings;
import modej.tasks.train.LearningRate;
import modej.tasks.train.TrainingSettings;
import picocli.CommandLine.Option;

/**
 * The options of a training loop: budget, learning-rate schedule, AdamW, clipping, seed, and when
 * to validate and save. The defaults that differ per command on purpose (steps, warm-up and the
 * intervals) are set by each command with the {@code with…} methods; the others are declared here
 * with theirs.
 */
final class TrainingOptions {

    @Option(names = "--steps", description = "Training steps (default: ${DEFAULT-VALUE}).")
    int steps = 300;
    @Option(names = "--lr", defaultValue = "1e-3", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    float lr;
    @Option(names = "--min-lr", defaultValue = "1e-4", description = "Learning rate at the end of the cosine decay (default: ${DEFAULT-VALUE}).")
    float minLr;
    @Option(names = "--warmup-steps", description = "Linear warm-up steps of the learning rate (default: ${DEFAULT-VALUE}).")
    int warmupSteps = 30;
    @Option(names = "--weight-decay", defaultValue = "0.1", description = "AdamW weight decay on matrices (default: ${DEFAULT-VALUE}).")
    float weightDecay;
    @Option(names = "--grad-clip", defaultValue = "0", paramLabel = "NORM",
            description = "Scale the gradients down when their global L2 norm exceeds NORM, e.g. 1.0; 0 = off (default: ${DEFAULT-VALUE}).")
    float gradClip;
    @Option(names = "--seed", defaultValue = "1337", description = "Seed for new weights and the order of batches (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--eval-every", paramLabel = "N", description = "Validate every N steps; 0 = only at the end (default: ${DEFAULT-VALUE}).")
    int evalEvery = 0;
    @Option(names = "--checkpoint-every", paramLabel = "N",
            description = "Save the run's state (weights, AdamW moments, step) every N steps, for --resume; "
                    + "0 = only when the run stops or ends. Ctrl-C saves it at the end of the step (default: ${DEFAULT-VALUE}).")
    int checkpointEvery = 0;

    TrainingOptions withSteps(int n) {
        steps = n;
        return this;
    }

    TrainingOptions withWarmupSteps(int n) {
        warmupSteps = n;
        return this;
    }

    TrainingOptions withEvalEvery(int n) {
        evalEvery = n;
        return this;
    }

    TrainingOptions withCheckpointEvery(int n) {
        checkpointEvery = n;
        return this;
    }

    /** The loop's settings for batches of {@code batch} × {@code seq} tokens, validated on {@code evalBatches} batches. */
    TrainingSettings settings(int batch, int seq, int evalBatches) {
        return new TrainingSettings(batch, seq, steps, new LearningRate(lr, minLr, warmupSteps, steps),
                new AdamWSettings(AdamWSettings.DEFAULT.beta1(), AdamWSettings.DEFAULT.beta2(), AdamWSettings.DEFAULT.eps(), weightDecay),
                evalEvery, evalBatches, seed, gradClip);
    }
}
