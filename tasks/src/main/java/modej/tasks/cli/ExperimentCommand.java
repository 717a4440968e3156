package modej.tasks.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import modej.tasks.experiment.Backends;
import modej.tasks.experiment.Experiment;
import modej.tasks.experiment.ExperimentConfig;
import modej.tasks.experiment.ExperimentFile;
import modej.tasks.experiment.report.ExperimentReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./modej experiment FILE}: every method × seed of an experiment file, then the reports. */
@Command(name = "experiment", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run an experiment file: every method for every seed, then results and a report.",
                "Pretrains or loads the backbone, trains and evaluates every method for every seed (YAML or",
                "JSON file), and writes results.json, results.csv, report.md and plots, with the data each",
                "domain used (documents, tokens, fingerprint, items skipped, built-in origins) in data.json.",
                "Runs whose OUT/runs/<method>-seed<k>/result.json exists are skipped, so running it again",
                "after an interruption continues where it stopped; it refuses to go on when a domain's data",
                "changed since the finished runs. Examples: examples/*/experiment.yaml."})
final class ExperimentCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "The experiment file (.yaml, .yml or .json).")
    Path file;
    @Option(names = "--set", paramLabel = "KEY.PATH=VALUE",
            description = "Override a value of the file, e.g. budget.steps=100, methods.0.rank=16, seeds=[0,1]; repeatable.")
    List<String> overrides = new ArrayList<>();
    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: runs/experiments/<name>).")
    Path out;
    @Mixin
    BackendOptions backendOptions;

    @Override
    public Integer call() throws Exception {
        System.setProperty("java.awt.headless", "true");
        ExperimentConfig config = ExperimentFile.read(file, overrides);
        Path dir = out != null ? out : Path.of("runs", "experiments", config.name());
        long t0 = System.nanoTime();
        Backends backends = new Backends(backendOptions::backend);
        Experiment.Summary summary = new Experiment(config, dir, backends, backendOptions.threads(), System.err).run();
        Path report = ExperimentReport.write(summary, dir);
        System.out.printf(Locale.ROOT, "%d runs trained, %d skipped in %.1f s; report: %s%n", summary.ran().size(),
                summary.skipped().size(), (System.nanoTime() - t0) / 1e9, report);
        if (backendOptions.profile) {
            ProfilePrinter.print(System.err, backends.profile());
        }
        return 0;
    }
}
