package modej.tasks.experiment.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import modej.tasks.experiment.Budget;
import modej.tasks.experiment.DataFacts;
import modej.tasks.experiment.ExperimentConfig;
import modej.tasks.experiment.MachineFacts;
import modej.tasks.experiment.MethodSpec;
import modej.tasks.experiment.RunVariant;

/**
 * {@code report.md}: the MoDE paper's Table 1 (methods × domains, next-token accuracy mean ± 95%
 * interval, paired t-test against full fine-tuning), retention, math answers, parameters, costs,
 * gate weights, the plots, how the budget was counted, the data, and the machine.
 */
public final class MarkdownReport {

    private final StringBuilder md = new StringBuilder();
    private final ResultsSummary s;

    private MarkdownReport(ResultsSummary s) {
        this.s = s;
    }

    /** The report's text; {@code plots} maps titles to PNG files in {@code plots/}. */
    public static String of(ExperimentConfig c, ResultsSummary s, DataFacts data, MachineFacts facts, Map<String, String> plots) {
        return of(c, s, null, data, facts, plots);
    }

    /** The report's text with the retention {@code matrix} after the retention section (none when null). */
    public static String of(ExperimentConfig c, ResultsSummary s, RetentionMatrix matrix, DataFacts data, MachineFacts facts,
                            Map<String, String> plots) {
        MarkdownReport r = new MarkdownReport(s);
        int seeds = c.seeds().size();
        r.line("# Experiment " + c.name()).line("")
                .line(f("%d methods × %d seeds %s; every run trains %,d tokens (%s). Backbone: %s.", c.methods().size(),
                        seeds, c.seeds(), c.budget().tokens(), budget(c.budget()), backbone(c)))
                .line("Intervals: mean ± half-width of the 95% Student-t confidence interval over seeds, "
                        + "t(0.975, n−1)·sd/√n (n/a for one seed). [se x]: the sampling error of the evaluation itself, "
                        + "the standard error of each run's figure over its evaluated batches of windows (mean over seeds); "
                        + "absent where the whole evaluation part was evaluated.").line("");
        r.table1();
        r.retentionAndMath();
        if (matrix != null) {
            r.md.append(matrix.markdown(s.domains()));
        }
        r.costs();
        r.gates();
        r.line("## Plots").line("");
        plots.forEach((title, file) -> r.line("![" + title + "](plots/" + file + ")").line(""));
        r.line("## Budget").line("")
                .line(f("Full fine-tuning and LoRA train %d steps of %d × %d tokens on the domains mixed by weight %s. "
                        + "MoDE trains the same %,d tokens in two stages: stage 1 trains each of its E experts (with its own "
                        + "gate) alone on its domain for (steps − stage2Steps) / E steps, stage 2 trains the composed experts "
                        + "and a fresh gate on the same mix for the remaining steps%s; BTX splits its steps the same way "
                        + "(stage 1: each domain's copy of the backbone's MLPs alone on its domain; stage 2: those and the "
                        + "original MLPs' copy as FFN experts with fresh top-k routers, on the mix). Every stage warms up for the same "
                        + "fraction of its steps (%d/%d), then decays by cosine to %s. Tokens are counted as targets in "
                        + "training batches; MoDE's forward pass costs more FLOPs per token (see the costs). The frozen "
                        + "backbone trains nothing.", c.budget().steps(), c.budget().batch(), c.budget().seq(), weights(c),
                        c.budget().tokens(), stages(c), c.budget().warmupSteps(), c.budget().steps(), num(c.budget().minLr())))
                .line("");
        VariantsBudget.lines(c).forEach(l -> r.line(l).line(""));
        r.md.append(DataSection.of(data));
        r.line("## Machine").line("")
                .line(f("The last call that trained runs: MoDE-J %s, Java %s (%s), %s, %d cores (%d backend threads), "
                        + "max heap %,d MiB; started %s (each run's end: results.csv). "
                        + "Library versions: environment.json; the resolved config: resolved.yaml; every run: results.csv.",
                        facts.modej(), facts.java(), facts.javaVendor(), facts.os(), facts.cores(), facts.threads(),
                        facts.maxHeapMiB(), facts.started()));
        return r.md.toString();
    }

    private void table1() {
        line("## Table 1: next-token accuracy per domain").line("");
        List<String> header = new ArrayList<>(List.of("method", "kind"));
        header.addAll(s.domains());
        row(header);
        separator(header.size());
        for (MethodSummary m : s.methods()) {
            List<String> cells = new ArrayList<>(List.of(m.method(), m.kind()));
            s.domains().forEach(d -> cells.add(interval(m.domains().get(d).accuracy())
                    + stdErr(m.domains().get(d), m.domains().get(d).accuracyStdErr())));
            row(cells);
        }
        line("");
        evaluated();
        if (s.reference() == null) {
            line("No full fine-tuning method: no paired t-tests.").line("");
            return;
        }
        line(f("Two-sided paired t-test of accuracy against **%s** (full fine-tuning), paired by seed; "
                + "p-value (n = pairs). n/a: fewer than 2 pairs, or differences that do not vary.", s.reference())).line("");
        List<String> h = new ArrayList<>(List.of("method"));
        s.domains().forEach(d -> h.add(d + " p (n)"));
        row(h);
        separator(h.size());
        for (MethodSummary m : s.methods()) {
            if (s.isReference(m)) {
                continue;
            }
            List<String> cells = new ArrayList<>(List.of(m.method()));
            for (String d : s.domains()) {
                MethodSummary.DomainSummary x = m.domains().get(d);
                cells.add((x.pVsReference() == null || x.pVsReference().isNaN() ? "n/a" : f("%.4f", x.pVsReference()))
                        + " (" + x.pairs() + ")");
            }
            row(cells);
        }
        line("").line("Held-out loss (nats/token), mean ± 95% interval:").line("");
        row(header);
        separator(header.size());
        for (MethodSummary m : s.methods()) {
            List<String> cells = new ArrayList<>(List.of(m.method(), m.kind()));
            s.domains().forEach(d -> cells.add(interval(m.domains().get(d).loss())
                    + stdErr(m.domains().get(d), m.domains().get(d).lossStdErr())));
            row(cells);
        }
        line("");
    }

    /** How much of each domain's evaluation part the figures are over. */
    private void evaluated() {
        if (s.methods().isEmpty()) {
            return;
        }
        List<String> parts = new ArrayList<>();
        for (String d : s.domains()) {
            MethodSummary.DomainSummary x = s.methods().get(0).domains().get(d);
            parts.add(x.complete() ? f("%s %,d tokens (all %,d windows of its evaluation part)", d, x.tokens(), x.available())
                    : f("%s %,d tokens (%,d of its %,d windows, %.1f%%, spread evenly)", d, x.tokens(), x.windows(),
                    x.available(), 100.0 * x.windows() / x.available()));
        }
        line("Evaluated, per run: " + String.join("; ", parts) + ".").line("");
    }

    /** E.g. " [se 0.0041]", or "" when the whole evaluation part was evaluated. */
    private static String stdErr(MethodSummary.DomainSummary x, double se) {
        return x.complete() ? "" : f(" [se %.4f]", se);
    }

    private void retentionAndMath() {
        line("## Retention" + (s.hasMath() ? " and math answers" : "")).line("");
        if (s.english() == null && !s.hasMath()) {
            line("No English domain: no retention.").line("");
            return;
        }
        List<String> header = new ArrayList<>(List.of("method"));
        if (s.english() != null) {
            header.addAll(List.of(s.english() + " accuracy / frozen's", s.english() + " loss − frozen's"));
        }
        if (s.hasMath()) {
            header.add("math final-answer accuracy (greedy)");
        }
        row(header);
        separator(header.size());
        for (MethodSummary m : s.methods()) {
            List<String> cells = new ArrayList<>(List.of(m.method()));
            if (s.english() != null) {
                cells.add(interval(m.retention()));
                cells.add(interval(m.retentionLoss()));
            }
            if (s.hasMath()) {
                cells.add(m.math() == null ? "n/a" : interval(m.math()));
            }
            row(cells);
        }
        line("");
        if (s.hasMath()) {
            mathCounts();
        }
    }

    /** What the math accuracy rests on, and a warning where it cannot mean anything. */
    private void mathCounts() {
        List<MethodSummary> scored = s.methods().stream().filter(m -> m.mathCounts() != null).toList();
        MethodSummary.MathCounts c = scored.get(0).mathCounts();
        line(f("Math final answers: %d held-out problems of the math domain; each question, cut from the left to %d "
                + "tokens, is continued greedily for at most %d tokens (window %d), stopping after its `####` line. "
                + "%d of %d problems fit whole (question and reference solution within those limits). Answered "
                + "(reached `#### <answer>`) and correct, mean over seeds: %s.", c.problems(), c.window() - c.tokens(),
                c.tokens(), c.window(), c.fit(), c.problems(), String.join("; ", scored.stream()
                        .map(m -> f("%s %.1f answered, %.1f correct", m.method(), m.mathCounts().answered(),
                                m.mathCounts().correct())).toList()))).line("");
        if (c.fit() == 0) {
            line(f("> **Warning:** no problem fits the %d-token window whole, so the final-answer accuracy is 0 or "
                    + "luck by construction and compares nothing. Use a backbone with a longer context and a larger "
                    + "budget.seq, or shorter problems.", c.window())).line("");
        } else if (scored.stream().allMatch(m -> m.mathCounts().answered() == 0)) {
            line("> **Warning:** no model produced a `####` answer, so the final-answer accuracy is 0 by construction "
                    + "and compares nothing: the models have not learnt the answer format (train longer, or on more "
                    + "math).").line("");
        }
    }

    private void costs() {
        line("## Parameters and costs").line("")
                .line("Trainable: parameters the method trains (MoDE: experts and the final gate). Time, tokens/s and "
                        + "evaluation: means over seeds. Buffers: what the training graphs hold (weights, gradients, AdamW "
                        + "moments, activations, scratch; MoDE: its largest stage), the memory a device needs for the method, "
                        + "the same on every machine. Peak heap: the largest over seeds of the JVM's heap pool peaks, garbage "
                        + "included, so it depends on the collector and the heap size as much as on the method. Active/token "
                        + "and FLOPs/token count what runs: every MoDE and MoE-LoRA expert runs on every token, also with top-k "
                        + "(the experts a token did not choose are computed and weighted 0, not skipped); BTX runs only "
                        + "the FFN experts its router chose for a token.").line("");
        List<String> h = List.of("method", "total", "trainable", "active/token", "fwd FLOPs/token", "train s", "tokens",
                "tokens/s", "buffers MiB", "peak heap MiB", "eval s", "run s");
        row(h);
        separator(h.size());
        for (MethodSummary m : s.methods()) {
            MethodSummary.Costs c = m.costs();
            row(List.of(m.method(), f("%,d", c.totalParams()), f("%,d", c.trainableParams()), f("%,d", c.activeParamsPerToken()),
                    f("%,d", c.forwardFlopsPerToken()), f("%.1f", c.trainSeconds()), f("%,d", c.trainTokens()),
                    f("%,.0f", c.trainTokensPerSecond()), f("%,.1f", c.bufferBytes() / 1048576.0), f("%,d", c.peakHeapMiB()),
                    f("%.1f", c.evalSeconds()),
                    f("%.1f", c.runSeconds())));
        }
        line("");
    }

    private void gates() {
        for (MethodSummary m : s.methods()) {
            if (m.gates().isEmpty()) {
                continue;
            }
            String unit = m.routedUnit();
            String about = switch (m.kind()) {
                case "moe-lora" -> "MoE-LoRA: each layer's router weights its LoRA experts (top k renormalised, 0 for the others); ";
                case "btx" -> "BTX: sources are the FFN experts (`backbone` = the copy of the backbone's MLP), a top-k router's "
                        + "unchosen experts weighing 0; ";
                default -> "";
            };
            line((unit.equals("layer") ? "## Router weights of " : "## Gate weights of ") + m.method()).line("")
                    .line(about + "Mean weight of each source per domain and " + unit
                            + ", over the domain's held-out tokens and the seeds; "
                            + f("entropy/token: the mean over tokens of the entropy of a token's weights (nats; %.3f = uniform "
                            + "over the %d sources, 0 = one source).", Math.log(m.sources().size()), m.sources().size()))
                    .line("");
            List<String> h = new ArrayList<>(List.of("domain", unit));
            h.addAll(m.sources());
            h.add("entropy/token");
            row(h);
            separator(h.size());
            m.gates().forEach((domain, blocks) -> {
                for (int b = 0; b < blocks.size(); b++) {
                    List<String> cells = new ArrayList<>(List.of(domain, Integer.toString(b)));
                    for (double w : blocks.get(b)) {
                        cells.add(f("%.3f", w));
                    }
                    cells.add(f("%.3f", m.gateEntropy().get(domain).get(b)));
                    row(cells);
                }
            });
            line("");
            routing(m);
            routingSpread(m);
        }
    }

    /** For MoE-LoRA's unnamed experts: per layer, how far apart the domains put each expert's weight. */
    private void routingSpread(MethodSummary m) {
        Map<String, double[]> spread = m.routingSpread();
        if (spread.isEmpty()) {
            return;
        }
        line("Routing by domain: per " + m.routedUnit() + ", each expert's largest minus smallest mean weight over the "
                + "domains (0 = the router weights the experts alike for every domain; seeds averaged).").line("");
        List<String> h = new ArrayList<>(List.of(m.routedUnit()));
        h.addAll(spread.keySet());
        row(h);
        separator(h.size());
        int units = spread.values().iterator().next().length;
        for (int u = 0; u < units; u++) {
            List<String> cells = new ArrayList<>(List.of(Integer.toString(u)));
            for (double[] perUnit : spread.values()) {
                cells.add(f("%.3f", perUnit[u]));
            }
            row(cells);
        }
        line("");
    }

    /** The routing table: per block (MoDE) or layer (BTX), each domain expert's {@link MethodSummary#routing}. */
    private void routing(MethodSummary m) {
        Map<String, double[]> routing = m.routing();
        if (routing.isEmpty()) {
            return;
        }
        line("Routing by domain: each expert's mean weight on its own domain's tokens minus its mean weight on the other "
                + "experts' domains' tokens (0 = the " + (m.routedUnit().equals("layer") ? "router" : "gate")
                + " does not tell the domains apart; seeds averaged).").line("");
        List<String> h = new ArrayList<>(List.of(m.routedUnit()));
        h.addAll(routing.keySet());
        row(h);
        separator(h.size());
        int blocks = routing.values().iterator().next().length;
        for (int b = 0; b < blocks; b++) {
            List<String> cells = new ArrayList<>(List.of(Integer.toString(b)));
            for (double[] perBlock : routing.values()) {
                cells.add(f("%+.3f", perBlock[b]));
            }
            row(cells);
        }
        line("");
    }

    private static String interval(Statistics.Interval x) {
        if (x == null || Double.isNaN(x.mean())) {
            return "n/a";
        }
        return Double.isNaN(x.halfWidth()) ? f("%.4f", x.mean()) : f("%.4f ± %.4f", x.mean(), x.halfWidth());
    }

    private static String budget(Budget b) {
        return f("%d steps × batch %d × seq %d; lr %s → %s", b.steps(), b.batch(), b.seq(), num(b.lr()), num(b.minLr()));
    }

    /** Each MoDE or BTX method's steps per stage, e.g. " (mode: 2 experts × 75 + 150)". */
    private static String stages(ExperimentConfig c) {
        List<String> parts = new ArrayList<>();
        int steps = c.budget().steps();
        for (RunVariant.Planned p : RunVariant.of(c)) { // a rotated experiment's MoDE or BTX has the experts of each set
            MethodSpec m = p.method();
            if (m.method().equals("mode") || m.method().equals("btx")) {
                int e = m.experts().size(), one = (steps - c.budget().stage2Steps()) / e;
                parts.add(f("%s: %d expert%s × %d steps + %d steps", p.variant().display(), e, e == 1 ? "" : "s", one,
                        steps - e * one));
            }
        }
        return parts.isEmpty() ? "" : " (" + String.join("; ", parts) + ")";
    }

    private static String num(float x) {
        return f("%.3g", x);
    }

    private static String backbone(ExperimentConfig c) {
        return c.backbone().checkpoint() != null ? "`" + c.backbone().checkpoint() + "`"
                : c.backbone().huggingface() != null ? "Hugging Face GPT-2 `" + c.backbone().huggingface() + "` (imported)"
                : f("pretrained here (%d layers, width %d, %d heads, context %d; %d steps on %s)",
                c.backbone().pretrain().layers(), c.backbone().pretrain().width(), c.backbone().pretrain().heads(),
                c.backbone().pretrain().context(), c.backbone().pretrain().steps(), c.backbone().pretrain().corpus());
    }

    /** E.g. 0, 1, 0.25: no trailing zeros. */
    private static String plain(double x) {
        return java.math.BigDecimal.valueOf(x).stripTrailingZeros().toPlainString();
    }

    private static String weights(ExperimentConfig c) {
        List<String> w = new ArrayList<>();
        c.domains().forEach((d, spec) -> w.add(d + " " + plain(spec.weight())));
        return "(" + String.join(", ", w) + ")";
    }

    private void row(List<String> cells) {
        line("| " + String.join(" | ", cells) + " |");
    }

    private void separator(int columns) {
        line("|" + "---|".repeat(columns));
    }

    private MarkdownReport line(String text) {
        md.append(text).append('\n');
        return this;
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
