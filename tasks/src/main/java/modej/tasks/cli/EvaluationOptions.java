package modej.tasks.cli;

import picocli.CommandLine.Option;

/**
 * The held-out text and how much of it is evaluated. The defaults differ per command on purpose
 * (pretrain holds out less of its one corpus; eval reads more batches); each command sets its own
 * with the {@code with…} methods.
 */
final class EvaluationOptions {

    @Option(names = "--eval-batches", description = "Held-out batches evaluated per domain, at most (default: ${DEFAULT-VALUE}).")
    int evalBatches = 8;
    @Option(names = "--validation", description = "Fraction of each corpus's documents held out, chosen by content hash "
            + "(default: ${DEFAULT-VALUE}).")
    double validation = 0.1;

    EvaluationOptions withEvalBatches(int n) {
        evalBatches = n;
        return this;
    }

    EvaluationOptions withValidation(double fraction) {
        validation = fraction;
        return this;
    }
}
