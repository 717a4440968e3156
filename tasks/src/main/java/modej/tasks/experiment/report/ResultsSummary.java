package modej.tasks.experiment.report;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import modej.tasks.experiment.ExperimentConfig;
import modej.tasks.experiment.MethodSpec;
import modej.tasks.experiment.RunResult;
import modej.tasks.experiment.RunVariant;

/**
 * Every method of an experiment summarised over its seeds, in the config's order (a per-domain
 * method as one row per domain, a rotated experiment's methods once per trained set); the reference
 * of the paired t-tests is the first method of kind {@code full} (full fine-tuning; of the same
 * trained set), as in the MoDE paper's Table 1.
 *
 * @param domains   the domains, in the config's order
 * @param english   the retention domain, or null
 * @param reference the method the t-tests compare with (its name; in a rotated experiment, that of the same
 *                  trained set), or null when there is no full fine-tuning
 * @param referenceRows the rows of the reference: its name, or one per trained set in a rotated experiment
 * @param methods   one summary per row
 */
public record ResultsSummary(List<String> domains, String english, String reference, List<String> referenceRows,
                             List<MethodSummary> methods) {

    /**
     * Summarises {@code results} (every run of {@code config}): one summary per row of the report
     * ({@link RunVariant}: a per-domain model, a trained set's run), tested against the full fine-tuning
     * run of the same trained set.
     */
    public static ResultsSummary of(ExperimentConfig config, List<RunResult> results) {
        List<String> domains = List.copyOf(config.domains().keySet());
        String reference = config.methods().stream().filter(m -> m.method().equals("full")).map(MethodSpec::name)
                .findFirst().orElse(null);
        List<MethodSummary> methods = new ArrayList<>();
        Set<String> referenceRows = new LinkedHashSet<>();
        for (RunVariant.Planned p : RunVariant.of(config)) {
            RunVariant v = p.variant();
            List<RunResult> runs = runs(results, v.display());
            String ref = reference == null ? null : RunVariant.display(v.trained(), reference);
            if (ref != null && v.row().equals(reference)) {
                referenceRows.add(ref);
            }
            if (!runs.isEmpty()) {
                methods.add(MethodSummary.of(runs, domains, runs(results, ref), v.display().equals(ref)));
            }
        }
        return new ResultsSummary(domains, config.englishDomain(), reference, List.copyOf(referenceRows),
                List.copyOf(methods));
    }

    private static List<RunResult> runs(List<RunResult> results, String display) {
        return results.stream().filter(r -> r.display().equals(display)).toList();
    }

    /** Whether {@code m} is a reference of the t-tests: the full fine-tuning run (of its trained set). */
    public boolean isReference(MethodSummary m) {
        return referenceRows.contains(m.method());
    }

    /** Whether any method scored math answers. */
    public boolean hasMath() {
        return methods.stream().anyMatch(m -> m.math() != null);
    }
}
