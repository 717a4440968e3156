package modej.tasks.experiment.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import modej.tasks.experiment.ExperimentConfig;
import modej.tasks.experiment.MethodSpec;

/**
 * The report's budget lines for the runs that are not one plain run per method and seed: the
 * trained sets of a rotated experiment, the per-domain models of a {@code perDomain} method, and the
 * share of the retention domain in the batches of a method with {@code retentionWeight}.
 */
final class VariantsBudget {

    private VariantsBudget() {
    }

    /** One paragraph per kind of variant the experiment has; empty when it has none. */
    static List<String> lines(ExperimentConfig c) {
        List<String> out = new ArrayList<>();
        long tokens = c.budget().tokens();
        if (c.rotate() != null) {
            out.add(f("Trained sets (`rotate`): %s. Every method but the frozen backbone runs once per set and seed, trained "
                    + "on the set's domains only, at their weights (MoDE: one expert per domain of the set), with the whole "
                    + "budget above (%,d tokens per run); every domain outside the set is held out and evaluated like the "
                    + "retention domain. The frozen backbone trains nothing and runs once per seed. Rows are named "
                    + "`<set>.<method>`.", String.join(", ", c.rotate().stream().map(s -> "[" + String.join(", ", s) + "]")
                    .toList()), tokens));
        }
        for (MethodSpec m : c.methods()) {
            if (m.perDomainRuns()) {
                List<String> per = c.rotate() == null ? c.trainingDomains() : List.of("each domain of the set");
                out.add(f("`%s` trains one model per training domain (rows `%s@<domain>`: %s), each on its domain only, "
                        + "with the same budget as every other run (%,d steps × %d × %d = %,d tokens per model), so its "
                        + "models together train that many tokens per domain; each is evaluated on every domain.", m.name(),
                        m.name(), String.join(", ", per.stream().map(d -> c.rotate() == null ? m.name() + "@" + d : d)
                                .toList()), c.budget().steps(), c.budget().batch(), c.budget().seq(), tokens));
            }
            if (m.retentionMix() > 0) {
                double others = c.trainingDomains().stream().mapToDouble(d -> c.domains().get(d).weight()).sum();
                out.add(f("`%s` mixes the training part of the retention domain %s into its mixed batches%s at weight %s, "
                        + "beside the training domains' weights%s: %s of the rows%s. It is no expert domain, and only its "
                        + "training part is drawn from: the Data section gives the overlap of every evaluated part with %s's "
                        + "training part, checked before any training. Its tokens are part of the same budget, not added to it.", m.name(),
                        c.englishDomain(), m.method().equals("mode") ? " (MoDE: stage 2's)" : "", Float.toString(m.retentionWeight()),
                        c.rotate() == null && !m.perDomainRuns() ? " (sum " + plain(others) + ")" : "",
                        c.rotate() == null && !m.perDomainRuns() ? f("%.1f%%", 100 * m.retentionMix() / (m.retentionMix() + others))
                                : "w / (w + the weights of the domains the model trains)",
                        " (counted per run: `train.rows.<domain>` in results.csv)", c.englishDomain()));
            }
        }
        return out;
    }

    private static String plain(double x) {
        return java.math.BigDecimal.valueOf(x).stripTrailingZeros().toPlainString();
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
