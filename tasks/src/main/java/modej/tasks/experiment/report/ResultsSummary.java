package modej.tasks.experiment.report;

import java.util.ArrayList;
import java.util.List;

import modej.tasks.experiment.ExperimentConfig;
import modej.tasks.experiment.MethodSpec;
import modej.tasks.experiment.RunResult;

/**
 * Every method of an experiment summarised over its seeds, in the config's order; the reference of
 * the paired t-tests is the first method of kind {@code full} (full fine-tuning), as in the MoDE
 * paper's Table 1.
 *
 * @param domains   the domains, in the config's order
 * @param english   the retention domain, or null
 * @param reference the method the t-tests compare with, or null when there is no full fine-tuning
 * @param methods   one summary per method
 */
public record ResultsSummary(List<String> domains, String english, String reference, List<MethodSummary> methods) {

    /** Summarises {@code results} (every run of {@code config}). */
    public static ResultsSummary of(ExperimentConfig config, List<RunResult> results) {
        List<String> domains = List.copyOf(config.domains().keySet());
        String reference = config.methods().stream().filter(m -> m.method().equals("full")).map(MethodSpec::name)
                .findFirst().orElse(null);
        List<RunResult> referenceRuns = runs(results, reference);
        List<MethodSummary> methods = new ArrayList<>();
        for (MethodSpec m : config.methods()) {
            List<RunResult> runs = runs(results, m.name());
            if (!runs.isEmpty()) {
                methods.add(MethodSummary.of(runs, domains, referenceRuns, m.name().equals(reference)));
            }
        }
        return new ResultsSummary(domains, config.englishDomain(), reference, List.copyOf(methods));
    }

    private static List<RunResult> runs(List<RunResult> results, String method) {
        return results.stream().filter(r -> r.method().equals(method)).toList();
    }

    /** Whether any method scored math answers. */
    public boolean hasMath() {
        return methods.stream().anyMatch(m -> m.math() != null);
    }
}
