package modej.tasks.experiment.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

import modej.tasks.experiment.ExperimentConfig;
import modej.tasks.experiment.MethodSpec;
import modej.tasks.experiment.RunResult;
import modej.tasks.experiment.RunVariant;

/**
 * The retention matrix: for every trained model of the report (a method in a trained set of a
 * rotated experiment, a per-domain model, a method that mixes the retention domain in) and every
 * domain that model never trained on (and the retention domain, whose evaluated part no model trains
 * on, also when a method mixes its training part in), the held-out next-token accuracy and loss over seeds, and
 * their change against the frozen backbone, paired by seed. Which domains a model trained on is
 * read from its runs' row counts ({@link RunResult#trainRows}), so a cell is held out because the
 * run drew no row of that domain, not because the config says so.
 *
 * @param frozen         the frozen method the changes are against; null when the experiment has none
 * @param frozenAccuracy the frozen backbone's accuracy per domain over seeds; empty without it
 * @param frozenLoss     the frozen backbone's loss per domain over seeds; empty without it
 * @param rows           one per trained row of the report, in its order
 */
public record RetentionMatrix(String frozen, Map<String, Statistics.Interval> frozenAccuracy,
                              Map<String, Statistics.Interval> frozenLoss, List<Row> rows) {

    /**
     * One model.
     *
     * @param row        its row in the report ({@link RunVariant#display})
     * @param kind       its method's kind
     * @param trainedSet the rotated trained set it belongs to; null when the experiment does not rotate
     * @param trainedOn  the domains its runs drew training rows from, in the domains' order
     * @param heldOut    per domain it did not train on, in the domains' order
     */
    public record Row(String row, String kind, List<String> trainedSet, List<String> trainedOn, Map<String, Cell> heldOut) {
    }

    /**
     * One (model, held-out domain) cell.
     *
     * @param accuracy       next-token accuracy over seeds
     * @param loss           loss (nats/token) over seeds
     * @param accuracyStdErr sampling error of each run's accuracy over its evaluated batches, mean over seeds
     *                       (0 when the whole evaluation part was evaluated)
     * @param lossStdErr     likewise for the loss
     * @param accuracyChange accuracy − the frozen backbone's, over the seeds both have; null without a frozen method
     * @param lossChange     loss − the frozen backbone's, likewise
     * @param pairs          seeds paired with the frozen backbone
     */
    public record Cell(Statistics.Interval accuracy, Statistics.Interval loss, double accuracyStdErr, double lossStdErr,
                       Statistics.Interval accuracyChange, Statistics.Interval lossChange, int pairs) {
    }

    /** Whether the report shows the matrix: the experiment rotates, or a method trains per domain or mixes the retention domain in. */
    public static boolean applies(ExperimentConfig c) {
        return c.rotate() != null || c.methods().stream().anyMatch(m -> m.perDomainRuns() || m.retentionMix() > 0);
    }

    /** The matrix of {@code results} (every run of {@code config}); rows whose runs are missing are left out. */
    public static RetentionMatrix of(ExperimentConfig config, List<RunResult> results) {
        Optional<MethodSpec> frozenMethod = config.methods().stream().filter(m -> m.method().equals("frozen")).findFirst();
        List<RunResult> frozen = frozenMethod.map(m -> runs(results, m.name())).orElse(List.of());
        List<String> domains = List.copyOf(config.domains().keySet());
        List<Row> rows = new ArrayList<>();
        for (RunVariant.Planned p : RunVariant.of(config)) {
            if (p.method().method().equals("frozen")) {
                continue;
            }
            List<RunResult> runs = runs(results, p.variant().display());
            if (runs.isEmpty()) {
                continue;
            }
            List<String> trainedOn = trainedOn(runs, domains, config, p);
            Map<String, Cell> cells = new LinkedHashMap<>();
            for (String d : domains) {
                // the retention domain's evaluated part is never trained on, also when its training part is mixed in
                if (!trainedOn.contains(d) || d.equals(config.englishDomain())) {
                    cells.put(d, cell(runs, frozen, d));
                }
            }
            rows.add(new Row(p.variant().display(), p.method().method(), p.variant().trained(), trainedOn, cells));
        }
        Map<String, Statistics.Interval> frozenAccuracy = new LinkedHashMap<>(), frozenLoss = new LinkedHashMap<>();
        if (!frozen.isEmpty()) {
            for (String d : domains) {
                frozenAccuracy.put(d, Statistics.meanInterval(frozen.stream().mapToDouble(r -> r.metrics().get(d).accuracy()).toArray()));
                frozenLoss.put(d, Statistics.meanInterval(frozen.stream().mapToDouble(r -> r.metrics().get(d).loss()).toArray()));
            }
        }
        return new RetentionMatrix(frozen.isEmpty() ? null : frozenMethod.get().name(), frozenAccuracy, frozenLoss,
                List.copyOf(rows));
    }

    /**
     * The domains the runs drew rows from; for results written before the counts existed, the domains
     * the run's config trains (and the retention domain when the method mixes it in).
     */
    private static List<String> trainedOn(List<RunResult> runs, List<String> domains, ExperimentConfig config,
                                          RunVariant.Planned p) {
        if (runs.stream().allMatch(r -> r.trainRows() != null)) {
            return domains.stream().filter(d -> runs.stream().anyMatch(r -> r.trainRows().getOrDefault(d, 0L) > 0)).toList();
        }
        ExperimentConfig under = p.variant().config() != null ? p.variant().config() : config;
        List<String> out = new ArrayList<>(under.trainingDomains());
        if (p.method().retentionMix() > 0) {
            out.add(config.englishDomain());
        }
        return domains.stream().filter(out::contains).toList();
    }

    private static Cell cell(List<RunResult> runs, List<RunResult> frozen, String d) {
        ToDoubleFunction<RunResult> acc = r -> r.metrics().get(d).accuracy(), loss = r -> r.metrics().get(d).loss();
        List<double[]> accPairs = new ArrayList<>(), lossPairs = new ArrayList<>();
        for (RunResult r : runs) {
            frozen.stream().filter(f -> f.seed() == r.seed()).findFirst().ifPresent(f -> {
                accPairs.add(new double[]{acc.applyAsDouble(r), acc.applyAsDouble(f)});
                lossPairs.add(new double[]{loss.applyAsDouble(r), loss.applyAsDouble(f)});
            });
        }
        return new Cell(Statistics.meanInterval(runs.stream().mapToDouble(acc).toArray()),
                Statistics.meanInterval(runs.stream().mapToDouble(loss).toArray()),
                runs.stream().mapToDouble(r -> r.metrics().get(d).accuracyStdErr()).average().orElse(Double.NaN),
                runs.stream().mapToDouble(r -> r.metrics().get(d).lossStdErr()).average().orElse(Double.NaN),
                frozen.isEmpty() ? null : change(accPairs), frozen.isEmpty() ? null : change(lossPairs), accPairs.size());
    }

    private static Statistics.Interval change(List<double[]> pairs) {
        return Statistics.meanInterval(pairs.stream().mapToDouble(x -> x[0] - x[1]).toArray());
    }

    private static List<RunResult> runs(List<RunResult> results, String display) {
        return results.stream().filter(r -> r.display().equals(display)).toList();
    }

    /** The report's section: the accuracy and the loss matrix, models grouped by method. */
    String markdown(List<String> domains) {
        StringBuilder md = new StringBuilder("## Retention matrix\n\n");
        md.append("For every trained model and every domain it never trained on (its runs drew no training row from that "
                + "domain; row counts per domain: `trainRows` in results.json, `train.rows.<domain>` in results.csv): the "
                + "held-out next-token accuracy and loss, mean ± 95% interval over seeds, [se x] the evaluation's own sampling "
                + "error (as in Table 1), and Δ, the change against the frozen backbone, run − frozen paired by seed, mean ± "
                + "95% interval over the pairs. A row `<set>.<method>` trained on that rotated set; `<method>@<domain>` is "
                + "a per-domain model. — : a domain the model trained on. ‡: the retention domain, whose training part "
                + "this model's batches mixed in (`retentionWeight`); the figure is still on its held-out part, which no "
                + "model trained on.\n\n");
        if (frozen == null) {
            md.append("> **Warning:** the experiment has no frozen method, so there is no change against the frozen backbone "
                    + "(Δ n/a); add `{name: frozen, method: frozen}` to the methods.\n\n");
        } else {
            md.append("Frozen backbone (").append(frozen).append("), the reference: ").append(String.join("; ", domains.stream()
                    .map(d -> d + " accuracy " + value(frozenAccuracy.get(d)) + ", loss " + value(frozenLoss.get(d))).toList()))
                    .append(".\n\n");
        }
        table(md, "Held-out accuracy", domains, true);
        table(md, "Held-out loss (nats/token)", domains, false);
        return md.toString();
    }

    private void table(StringBuilder md, String title, List<String> domains, boolean accuracy) {
        md.append("### ").append(title).append("\n\n| model | trained on | ").append(String.join(" | ", domains))
                .append(" |\n|").append("---|".repeat(domains.size() + 2)).append('\n');
        for (Row r : grouped()) {
            md.append("| ").append(r.row()).append(" | ").append(String.join(", ", r.trainedOn()));
            for (String d : domains) {
                Cell c = r.heldOut().get(d);
                md.append(" | ").append(c == null ? "—" : (accuracy
                        ? cell(c.accuracy(), c.accuracyStdErr(), c.accuracyChange())
                        : cell(c.loss(), c.lossStdErr(), c.lossChange())) + (r.trainedOn().contains(d) ? " ‡" : ""));
            }
            md.append(" |\n");
        }
        md.append('\n');
    }

    /** The rows grouped by method (its name after the trained set), each group in the report's order. */
    private List<Row> grouped() {
        Map<String, List<Row>> byMethod = new LinkedHashMap<>();
        for (Row r : rows) {
            String method = r.trainedSet() == null ? r.row() : r.row().substring(String.join("+", r.trainedSet()).length() + 1);
            byMethod.computeIfAbsent(method, k -> new ArrayList<>()).add(r);
        }
        return byMethod.values().stream().flatMap(List::stream).toList();
    }

    private static String cell(Statistics.Interval x, double se, Statistics.Interval change) {
        String s = value(x) + (se > 0 ? f(" [se %.4f]", se) : "");
        return change == null ? s : s + " (Δ " + signed(change) + ")";
    }

    private static String value(Statistics.Interval x) {
        if (x == null || Double.isNaN(x.mean())) {
            return "n/a";
        }
        return Double.isNaN(x.halfWidth()) ? f("%.4f", x.mean()) : f("%.4f ± %.4f", x.mean(), x.halfWidth());
    }

    private static String signed(Statistics.Interval x) {
        if (x == null || Double.isNaN(x.mean())) {
            return "n/a";
        }
        return Double.isNaN(x.halfWidth()) ? f("%+.4f", x.mean()) : f("%+.4f ± %.4f", x.mean(), x.halfWidth());
    }

    private static String f(String format, Object... args) {
        return String.format(java.util.Locale.ROOT, format, args);
    }
}
