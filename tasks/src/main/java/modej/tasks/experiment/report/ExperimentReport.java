package modej.tasks.experiment.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import modej.tasks.experiment.DataFacts;
import modej.tasks.experiment.Experiment;
import modej.tasks.experiment.ExperimentFile;
import modej.tasks.experiment.MachineFacts;
import modej.tasks.experiment.RunResult;

/**
 * Writes an experiment's reports into its output folder: {@code results.json} (the resolved config,
 * the machine, the data, every run and the summaries), {@code results.csv} (one row per run, every metric),
 * {@code report.md} and the PNG plots it links in {@code plots/}.
 */
public final class ExperimentReport {

    /**
     * The content of {@code results.json}.
     *
     * @param config  the resolved config
     * @param machine the machine and library versions
     * @param data    the data the runs used
     * @param summary every method over its seeds
     * @param runs    every run
     * @param retentionMatrix per trained model and held-out domain ({@link RetentionMatrix}); absent unless the
     *                experiment rotates trained sets or a method trains per domain or mixes the retention domain in
     */
    public record Results(JsonNode config, MachineFacts machine, DataFacts data, ResultsSummary summary, List<RunResult> runs,
                          @JsonInclude(JsonInclude.Include.NON_NULL) RetentionMatrix retentionMatrix) {
    }

    private ExperimentReport() {
    }

    /** The report with a warning after its title naming the runs not finished, when there are any. */
    static String withMissing(String md, List<String> missing) {
        if (missing.isEmpty()) {
            return md;
        }
        int cut = md.indexOf("\n\n");
        String note = "\n\n**Incomplete: " + missing.size() + " run" + (missing.size() == 1 ? "" : "s")
                + " not finished yet, left out of every table and plot: " + String.join(", ", missing)
                + ".** Written by `--report` from the finished runs; run the missing units and write it again.";
        return cut < 0 ? md + note + "\n" : md.substring(0, cut) + note + md.substring(cut);
    }

    /** Writes every report file for {@code summary}'s results; returns the path of report.md. */
    public static Path write(Experiment.Summary summary, Path out) throws IOException {
        ResultsSummary s = ResultsSummary.of(summary.config(), summary.results());
        RetentionMatrix matrix = RetentionMatrix.applies(summary.config())
                ? RetentionMatrix.of(summary.config(), summary.results()) : null;
        ExperimentFile.json().writeValue(out.resolve("results.json").toFile(),
                new Results(ExperimentFile.tree(summary.config()), summary.facts(), summary.data(), s, summary.results(), matrix));
        Files.writeString(out.resolve("results.csv"), ResultsCsv.of(summary.results()), StandardCharsets.UTF_8);
        var plots = ReportCharts.write(s, out.resolve("plots"));
        Path report = out.resolve("report.md");
        String md = MarkdownReport.of(summary.config(), s, matrix, summary.data(), summary.facts(), plots);
        Files.writeString(report, withMissing(md, summary.missing()), StandardCharsets.UTF_8);
        return report;
    }
}
