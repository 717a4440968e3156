package modej.tasks.experiment.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import modej.tasks.eval.EvalReport;
import modej.tasks.experiment.RunResult;

/**
 * Every metric of every run as CSV: one row per run, one column per metric (per-domain metrics as
 * {@code <domain>.<metric>}, gate weights as {@code gate.<domain>.b<block>.<source>}, training rows drawn
 * from each domain as {@code train.rows.<domain>}; {@code trained}: a rotated experiment's trained set). Numbers use
 * '.' whatever the locale; an empty cell is a metric the run does not have.
 */
public final class ResultsCsv {

    private ResultsCsv() {
    }

    /** The CSV text for {@code runs}, with the columns of every run (a run lacking one leaves it empty). */
    public static String of(List<RunResult> runs) {
        List<Map<String, String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>();
        boolean rotated = runs.stream().anyMatch(r -> r.trained() != null);
        for (RunResult r : runs) {
            Map<String, String> row = row(r, rotated);
            row.keySet().stream().filter(k -> !header.contains(k)).forEach(header::add);
            rows.add(row);
        }
        StringBuilder out = new StringBuilder(String.join(",", header)).append('\n');
        for (Map<String, String> row : rows) {
            List<String> cells = new ArrayList<>();
            for (String h : header) {
                cells.add(escape(row.getOrDefault(h, "")));
            }
            out.append(String.join(",", cells)).append('\n');
        }
        return out.toString();
    }

    /** One run's cells; {@code rotated}: the experiment rotates trained sets (the frozen backbone's set is empty). */
    private static Map<String, String> row(RunResult r, boolean rotated) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("run", r.label());
        m.put("method", r.method());
        m.put("kind", r.kind());
        m.put("seed", Long.toString(r.seed()));
        if (rotated) {
            m.put("trained", r.trained() == null ? "" : String.join("+", r.trained()));
        }
        r.metrics().forEach((d, x) -> {
            m.put(d + ".accuracy", num(x.accuracy()));
            m.put(d + ".loss", num(x.loss()));
            m.put(d + ".perplexity", num(x.perplexity()));
            m.put(d + ".bitsPerByte", num(x.bitsPerByte()));
            m.put(d + ".tokens", Long.toString(x.rows()));
            m.put(d + ".accuracyStdErr", num(x.accuracyStdErr()));
            m.put(d + ".lossStdErr", num(x.lossStdErr()));
            m.put(d + ".windows", x.windows() + "/" + x.available());
        });
        if (r.retention() != null) {
            m.put("retention.accuracyRatio", num(r.retention().accuracyRatio()));
            m.put("retention.lossDifference", num(r.retention().lossDifference()));
        }
        if (r.math() != null) {
            m.put("math.answerAccuracy", num(r.math().accuracy()));
            m.put("math.correct", Integer.toString(r.math().correct()));
            m.put("math.unanswered", Integer.toString(r.math().unanswered()));
            m.put("math.problems", Integer.toString(r.math().problems()));
            m.put("math.fit", Integer.toString(r.math().fit()));
            m.put("math.answered", Integer.toString(r.math().answered()));
            m.put("math.tokens", Integer.toString(r.math().tokens()));
            m.put("math.window", Integer.toString(r.math().window()));
        }
        EvalReport.Costs c = r.costs();
        m.put("params.total", Long.toString(c.totalParams()));
        m.put("params.trainable", Long.toString(c.trainableParams()));
        m.put("params.activePerToken", Long.toString(c.activeParamsPerToken()));
        m.put("flops.forwardPerToken", Long.toString(c.forwardFlopsPerToken()));
        m.put("train.seconds", c.trainSeconds() == null ? "" : num(c.trainSeconds()));
        m.put("train.tokens", c.trainTokens() == null ? "0" : Long.toString(c.trainTokens()));
        m.put("train.tokensPerSecond", c.trainTokensPerSecond() == null ? "" : num(c.trainTokensPerSecond()));
        m.put("train.peakHeapMiB", c.trainPeakHeapMiB() == null ? "" : Long.toString(c.trainPeakHeapMiB()));
        m.put("train.bufferBytes", c.trainBufferBytes() == null ? "" : Long.toString(c.trainBufferBytes()));
        if (r.trainRows() != null) {
            r.trainRows().forEach((d, n) -> m.put("train.rows." + d, Long.toString(n)));
        }
        m.put("train.finalLoss", r.lossCurve().isEmpty() ? "" : num(r.lossCurve().get(r.lossCurve().size() - 1).loss()));
        m.put("eval.seconds", num(c.evalSeconds()));
        m.put("run.seconds", num(r.runSeconds()));
        r.gates().forEach((d, blocks) -> {
            for (EvalReport.GateBlock b : blocks) {
                for (int s = 0; s < b.sources().size(); s++) {
                    m.put("gate." + d + ".b" + b.block() + "." + b.sources().get(s), num(b.meanWeights()[s]));
                }
            }
        });
        m.put("fingerprint", r.fingerprint());
        m.put("finished", r.finished());
        return m;
    }

    private static String num(double x) {
        return Double.isFinite(x) ? String.format(Locale.ROOT, "%.6g", x) : "";
    }

    private static String escape(String cell) {
        return cell.contains(",") || cell.contains("\"") || cell.contains("\n")
                ? "\"" + cell.replace("\"", "\"\"") + "\"" : cell;
    }
}
