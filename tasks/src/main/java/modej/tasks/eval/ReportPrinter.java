package modej.tasks.eval;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Prints an {@link EvalReport} as plain-text tables: metrics (models × domains), retention, costs,
 * and gate use per MoDE model. Metrics keep 4 decimals so that small differences show.
 */
public final class ReportPrinter {

    private ReportPrinter() {
    }

    public static void print(EvalReport report, PrintStream out) {
        metrics(report, out);
        retention(report, out);
        costs(report, out);
        for (EvalReport.ModelResult m : report.models()) {
            if (!m.gates().isEmpty()) {
                gates(m, out);
            }
        }
    }

    private static void metrics(EvalReport report, PrintStream out) {
        EvalReport.ModelResult first = report.models().get(0);
        StringBuilder rows = new StringBuilder();
        for (String d : report.domains()) {
            rows.append(rows.isEmpty() ? "" : ", ").append(d).append(' ').append(f("%,d", first.metrics().get(d).rows()));
        }
        out.println("held-out next-token accuracy and loss (nats/token); tokens per domain: " + rows);
        List<String> header = new ArrayList<>(List.of("model", "method"));
        for (String d : report.domains()) {
            header.add(d + " acc");
            header.add(d + " loss");
        }
        TextTable t = new TextTable(header);
        for (EvalReport.ModelResult m : report.models()) {
            List<String> cells = new ArrayList<>(List.of(m.label(), m.method()));
            for (String d : report.domains()) {
                cells.add(f("%.4f", m.metrics().get(d).accuracy()));
                cells.add(f("%.4f", m.metrics().get(d).loss()));
            }
            t.row(cells);
        }
        t.print(out, 2);
    }

    private static void retention(EvalReport report, PrintStream out) {
        if (report.english() == null) {
            out.println("retention: no English domain (name one with --english)");
            return;
        }
        StringBuilder line = new StringBuilder("retention on " + report.english()
                + " (accuracy / frozen's, loss - frozen's):");
        for (EvalReport.ModelResult m : report.models()) {
            line.append(f(" %s %.4f %+.4f;", m.label(), m.retention().accuracyRatio(), m.retention().lossDifference()));
        }
        out.println(line.substring(0, line.length() - 1));
    }

    private static void costs(EvalReport report, PrintStream out) {
        out.println("costs (training figures from each checkpoint's metadata; eval s: this run, graphs built and, "
                + "for the first model, JIT warm-up included; active/token and FLOPs/token count what runs: every "
                + "MoDE and MoE-LoRA expert runs on every token, also with top-k; BTX runs only the FFN experts its "
                + "router chose)");
        TextTable t = new TextTable(List.of("model", "params", "trainable", "active/token", "fwd FLOPs/token",
                "train s", "train tok/s", "train buffers MiB", "train heap MiB", "eval s"));
        for (EvalReport.ModelResult m : report.models()) {
            EvalReport.Costs c = m.costs();
            t.row(List.of(m.label(), f("%,d", c.totalParams()), f("%,d", c.trainableParams()),
                    f("%,d", c.activeParamsPerToken()), f("%,d", c.forwardFlopsPerToken()),
                    c.trainSeconds() == null ? "n/a" : f("%.1f", c.trainSeconds()),
                    c.trainTokensPerSecond() == null ? "n/a" : f("%,.0f", c.trainTokensPerSecond()),
                    c.trainBufferBytes() == null ? "n/a" : f("%,.1f", c.trainBufferBytes() / 1048576.0),
                    c.trainPeakHeapMiB() == null ? "n/a" : f("%,d", c.trainPeakHeapMiB()),
                    f("%.2f", c.evalSeconds())));
        }
        t.print(out, 2);
    }

    private static void gates(EvalReport.ModelResult m, PrintStream out) {
        boolean layers = m.routedUnit().equals("layer");
        out.println((layers ? "routers of " : "gate of ") + m.label() + ": mean weight per source over each domain's tokens; "
                + "H(mean) = entropy of those means, mean H = mean per-token entropy (nats)");
        List<String> sources = m.gates().values().iterator().next().get(0).sources();
        List<String> header = new ArrayList<>(List.of("domain", layers ? "layer" : "block"));
        header.addAll(sources);
        header.addAll(List.of("H(mean)", "mean H"));
        TextTable t = new TextTable(header);
        m.gates().forEach((domain, blocks) -> {
            for (EvalReport.GateBlock b : blocks) {
                List<String> cells = new ArrayList<>(List.of(domain, Integer.toString(b.block())));
                for (double w : b.meanWeights()) {
                    cells.add(f("%.4f", w));
                }
                cells.add(f("%.4f", b.entropyOfMean()));
                cells.add(f("%.4f", b.meanEntropy()));
                t.row(cells);
            }
        });
        t.print(out, 2);
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
