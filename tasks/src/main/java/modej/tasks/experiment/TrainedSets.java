package modej.tasks.experiment;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checks of an experiment's {@code rotate} key (the trained sets a retention matrix rotates
 * through) and of the methods' {@code retentionWeight} and {@code perDomain} options against the
 * domains, each failing with a one-line error that names the key.
 */
final class TrainedSets {

    private TrainedSets() {
    }

    /** {@code rotate} checked against the (weighted) domains; null when not given. */
    static List<List<String>> checked(List<List<String>> rotate, Map<String, DomainSpec> domains, String english) {
        if (rotate == null) {
            return null;
        }
        if (rotate.isEmpty()) {
            throw new IllegalArgumentException("rotate: need at least one trained set, e.g. [[code], [math], [code, math]]");
        }
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < rotate.size(); i++) {
            List<String> set = rotate.get(i);
            String key = "rotate." + i;
            if (set == null || set.isEmpty()) {
                throw new IllegalArgumentException(key + ": empty; a trained set names at least one domain, e.g. [code]");
            }
            Set<String> seen = new HashSet<>();
            for (String d : set) {
                if (d == null || !domains.containsKey(d)) {
                    throw new IllegalArgumentException(key + ": no domain '" + d + "'; have " + domains.keySet());
                }
                if (d.equals(english)) {
                    throw new IllegalArgumentException(key + ": '" + d + "' is the retention domain, held out in every set; "
                            + "to train on some of it, give a method retentionWeight");
                }
                if (!domains.get(d).trains()) {
                    throw new IllegalArgumentException(key + ": domain '" + d + "' does not train ("
                            + (domains.get(d).source() == null ? "test only" : "weight 0")
                            + "); a trained set names domains with a source and a weight above 0");
                }
                if (!seen.add(d)) {
                    throw new IllegalArgumentException(key + ": '" + d + "' given twice");
                }
            }
            for (int j = 0; j < out.size(); j++) {
                if (Set.copyOf(out.get(j)).equals(seen)) {
                    throw new IllegalArgumentException(key + ": the same domains as rotate." + j);
                }
            }
            out.add(List.copyOf(set));
        }
        return List.copyOf(out);
    }

    /** The methods' options that depend on the domains and the rotation; entries that are null are left to later checks. */
    static void checkMethods(List<MethodSpec> methods, List<List<String>> rotate, Map<String, DomainSpec> domains,
                             String english) {
        if (methods == null) {
            return;
        }
        for (int i = 0; i < methods.size(); i++) {
            MethodSpec m = methods.get(i);
            if (m == null) {
                continue;
            }
            if (rotate != null && m.experts() != null) {
                throw new IllegalArgumentException("methods." + i + ".experts: not with rotate; each trained set's domains "
                        + "are the experts of its MoDE runs");
            }
            if (m.retentionMix() > 0) {
                if (english.equals("none")) {
                    throw new IllegalArgumentException("methods." + i + ".retentionWeight: no retention domain to mix in "
                            + "(english: none)");
                }
                if (domains.get(english).source() == null) {
                    throw new IllegalArgumentException("methods." + i + ".retentionWeight: the retention domain '" + english
                            + "' is test only: it has no training part to mix in");
                }
                if (domains.get(english).trains()) {
                    throw new IllegalArgumentException("methods." + i + ".retentionWeight: the retention domain '" + english
                            + "' trains already (domains." + english + ".weight " + domains.get(english).weight() + ")");
                }
            }
        }
    }
}
