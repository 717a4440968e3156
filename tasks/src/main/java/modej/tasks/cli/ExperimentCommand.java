package modej.tasks.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import modej.tasks.experiment.Backends;
import modej.tasks.experiment.Experiment;
import modej.tasks.experiment.ExperimentConfig;
import modej.tasks.experiment.ExperimentFile;
import modej.tasks.experiment.SharedFiles;
import modej.tasks.experiment.UnitRunner;
import modej.tasks.experiment.WorkUnit;
import modej.tasks.experiment.WorkUnits;
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
                "Runs whose OUT/runs/<run>-seed<k>/result.json exists are skipped (<run>: the method's name,",
                "<name>@<domain> for a per-domain model, <set>.<name> in a rotated experiment), so running it again",
                "after an interruption continues where it stopped; it refuses to go on when a domain's data",
                "changed since the finished runs. Examples: examples/*/experiment.yaml.",
                "On a cluster, many processes share one OUT (job-array tasks, see examples/cluster): --list",
                "shows the units of work, --only/--shard do some of them, each unit claimed by one process",
                "(a lock in OUT/locks); the process that finishes the last unit writes the report.",
                "Exit codes: 0 done, 2 bad input or a failure, 3 a unit's input not finished (--no-wait,",
                "--wait-timeout)."})
final class ExperimentCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "The experiment file (.yaml, .yml or .json).")
    Path file;
    @Option(names = "--set", paramLabel = "KEY.PATH=VALUE",
            description = "Override a value of the file, e.g. budget.steps=100, methods.0.rank=16, seeds=[0,1]; repeatable.")
    List<String> overrides = new ArrayList<>();
    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: runs/experiments/<name>).")
    Path out;
    @Option(names = "--list", description = "Print the units of work (index, unit, needs, state, what; tab-separated) and exit.")
    boolean list;
    @Option(names = "--only", paramLabel = "INDEX[,INDEX...]",
            description = "Do only these units (e.g. 0,3,5 or 2-4; a job-array task passes its index). "
                    + "The report is written when the last unit of the experiment is finished.")
    String only;
    @Option(names = "--shard", paramLabel = "I/N", description = "Do only the units whose index is I modulo N (0 <= I < N).")
    String shard;
    @Option(names = "--no-wait", description = "Stop (exit 3) when a unit's input, the backbone, is not finished, "
            + "instead of waiting for it (or pretraining it here when no process is).")
    boolean noWait;
    @Option(names = "--wait-timeout", paramLabel = "DURATION", defaultValue = "24h",
            description = "The longest wait for one unfinished unit, e.g. 90s, 30m, 24h (default: ${DEFAULT-VALUE}); then exit 3.")
    String waitTimeout;
    @Option(names = "--poll", paramLabel = "DURATION", defaultValue = "10s",
            description = "How often a waiting process looks at the unit it waits for (default: ${DEFAULT-VALUE}).")
    String poll;
    @Option(names = "--report", description = "Train nothing: write the report from the finished runs and list the missing ones.")
    boolean report;
    @Mixin
    BackendOptions backendOptions;

    @Override
    public Integer call() throws Exception {
        System.setProperty("java.awt.headless", "true");
        ExperimentConfig config = ExperimentFile.read(file, overrides);
        Path dir = out != null ? out : Path.of("runs", "experiments", config.name());
        List<WorkUnit> units = WorkUnits.of(config);
        if (list) {
            return list(config, units, dir);
        }
        UnitRunner.Selection selection = selection(units.size());
        long t0 = System.nanoTime();
        Backends backends = new Backends(backendOptions::backend);
        Experiment.Summary summary;
        try {
            summary = new Experiment(config, dir, backends, backendOptions.threads(), System.err).run(selection);
        } catch (UnitRunner.NotReady e) {
            System.err.println("modej experiment: " + e.getMessage());
            return 3;
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        String done = String.format(Locale.ROOT, "%d runs trained, %d skipped in %.1f s", summary.ran().size(),
                summary.skipped().size(), seconds);
        if (summary.missing().isEmpty() || report) {
            if (summary.results().isEmpty()) {
                System.out.println(done + "; no run is finished yet, so there is no report");
            } else {
                Path md = SharedFiles.locked(dir, () -> ExperimentReport.write(summary, dir));
                System.out.println(done + "; report: " + md + (summary.missing().isEmpty() ? ""
                        : "; not finished: " + String.join(", ", summary.missing())));
            }
        } else {
            System.out.println(done + "; " + summary.missing().size() + " of " + (summary.missing().size()
                    + summary.results().size()) + " runs not finished (" + String.join(", ", summary.missing())
                    + "): the process that finishes the last one writes the report (or --report now)");
        }
        if (backendOptions.profile) {
            ProfilePrinter.print(System.err, backends.profile());
        }
        return 0;
    }

    private UnitRunner.Selection selection(int count) {
        int chosen = (only != null ? 1 : 0) + (shard != null ? 1 : 0) + (report ? 1 : 0);
        if (chosen > 1) {
            throw new UserError("give one of --only, --shard and --report");
        }
        if (report) {
            return UnitRunner.Selection.none();
        }
        Duration timeout = duration("--wait-timeout", waitTimeout), every = duration("--poll", poll);
        if (only == null && shard == null) {
            return UnitRunner.Selection.all(!noWait, timeout, every);
        }
        List<Integer> indices = only != null ? WorkUnits.only(only, count) : WorkUnits.shard(shard, count);
        return new UnitRunner.Selection(indices, !noWait, timeout, every);
    }

    private static int list(ExperimentConfig config, List<WorkUnit> units, Path dir) throws IOException {
        System.out.println("# " + units.size() + " units of experiment " + config.name() + " in " + dir
                + "; a job array runs indices 0-" + (units.size() - 1));
        System.out.println("# index\tunit\tneeds\tstate\twhat");
        for (WorkUnit u : units) {
            String needs = u.needs().isEmpty() ? "-" : String.join(",", u.needs().stream().map(String::valueOf).toList());
            System.out.println(u.index() + "\t" + u.label() + "\t" + needs + "\t" + WorkUnits.state(u, units, config, dir)
                    + "\t" + u.what());
        }
        return 0;
    }

    /** A duration like 500ms, 90s, 30m, 24h, or a number of seconds. */
    static Duration duration(String option, String text) {
        var m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)?").matcher(text.trim());
        if (!m.matches()) {
            throw new UserError(option + ": expected a duration like 500ms, 90s, 30m or 24h, got '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
    }
}
