package modej.tasks.experiment;

import java.util.ArrayList;
import java.util.List;

/**
 * Which model a run trains, besides its method and seed: the per-domain model of a {@code perDomain}
 * method, and the trained set of a rotated experiment ({@code rotate}). Each variant is a row of
 * the report and trains under a config of its own, whose domain weights say what its batches draw
 * from ({@link ExperimentConfig#trainingOn}).
 *
 * @param row     the row in the report: the method's name, or {@code <name>@<domain>} for a per-domain model
 * @param trained the trained set of a rotated experiment; null when the experiment does not rotate, and for
 *                the frozen backbone, which trains nothing and runs once
 * @param domain  the one domain a per-domain model trains on; null otherwise
 * @param config  the config the run trains under; null: the experiment's own
 */
public record RunVariant(String row, List<String> trained, String domain, ExperimentConfig config) {

    public RunVariant {
        trained = trained == null ? null : List.copyOf(trained);
    }

    /** A method's plain run: its name, the experiment's config. */
    static RunVariant plain(MethodSpec m) {
        return new RunVariant(m.name(), null, null, null);
    }

    /** The row's name in reports and results: {@code <set>.<row>} in a rotated experiment (e.g. {@code code+math.full@code}). */
    public String display() {
        return display(trained, row);
    }

    public static String display(List<String> trained, String row) {
        return trained == null ? row : String.join("+", trained) + "." + row;
    }

    /** The variant with its config's method (MoDE: the experts of the trained set), or {@code m} for the experiment's config. */
    private static Planned planned(MethodSpec m, RunVariant v) {
        return new Planned(v.config() == null ? m : v.config().methods().get(0), v);
    }

    /**
     * A method with its variant, in the order the units run them.
     *
     * @param method the method as the run trains it (a MoDE method in a trained set: with the set as its experts)
     */
    public record Planned(MethodSpec method, RunVariant variant) {
    }

    /**
     * Every model of one seed: per trained set (one when the experiment does not rotate), every
     * method; a per-domain method once per domain the set trains; the frozen backbone once.
     */
    public static List<Planned> of(ExperimentConfig c) {
        List<Planned> out = new ArrayList<>();
        List<List<String>> sets = new ArrayList<>();
        if (c.rotate() == null) {
            sets.add(null);
        } else {
            sets.addAll(c.rotate());
        }
        for (int i = 0; i < sets.size(); i++) {
            List<String> set = sets.get(i);
            for (MethodSpec m : c.methods()) {
                if (m.method().equals("frozen")) {
                    if (i == 0) {
                        out.add(new Planned(m, plain(m)));
                    }
                    continue;
                }
                List<String> trains = set == null ? c.trainingDomains() : set;
                if (m.perDomainRuns()) {
                    for (String d : trains) {
                        out.add(planned(m, new RunVariant(m.name() + "@" + d, set, d, c.trainingOn(List.of(d), m))));
                    }
                } else {
                    out.add(planned(m, new RunVariant(m.name(), set, null, set == null ? null : c.trainingOn(set, m))));
                }
            }
        }
        return List.copyOf(out);
    }
}
