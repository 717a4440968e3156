package modej.tasks.experiment;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * An experiment file: which backbone, which domains, which methods with which options, what
 * budget, which seeds, and how to measure. Read by {@link ExperimentFile} from YAML or JSON;
 * constructed with the defaults filled in, so that writing it back gives the resolved config.
 *
 * @param name       the experiment's name (the default output folder is {@code runs/experiments/<name>})
 * @param backbone   the backbone: a checkpoint, or pretraining
 * @param domains    name to corpus, test source and mixing weight, in the order of the report's columns
 * @param english    the domain retention is measured on (default: {@code english} if there is one;
 *                   {@code none} for none)
 * @param rotate     trained sets to rotate through (e.g. {@code [[code], [math], [code, math]]}): every method but the
 *                   frozen backbone runs once per set, trained on the set's domains (at their weights) with every
 *                   other domain held out; the report adds the retention matrix. Null (default): the domains train
 *                   as their weights say, once
 * @param methods    the methods to compare, each by a unique name
 * @param budget     steps, batch, sequence length and learning rates shared by every method
 * @param seeds      one run per method and seed (default [0]); seeds pair runs in the t-tests
 * @param evaluation how runs are measured
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"name", "backbone", "domains", "english", "rotate", "methods", "budget", "seeds", "evaluation"})
public record ExperimentConfig(String name, BackboneSpec backbone, Map<String, DomainSpec> domains, String english,
                               List<List<String>> rotate, List<MethodSpec> methods, Budget budget, List<Long> seeds,
                               EvaluationSpec evaluation) {

    public ExperimentConfig {
        ConfigValues.required("name", name, "table1-small");
        if (!name.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("name: '" + name + "' is not a name of letters, digits, '.', '_' or '-'");
        }
        ConfigValues.required("backbone", backbone, "{checkpoint: runs/pretrain/checkpoint.safetensors}");
        if (domains == null || domains.isEmpty()) {
            throw new IllegalArgumentException("domains: required, e.g. {code: code, math: math, english: english}");
        }
        for (String d : domains.keySet()) {
            if (!d.matches("[A-Za-z0-9_-]+") || d.equals("none")) {
                throw new IllegalArgumentException("domains." + d + ": not a domain name of letters, digits, '_' or '-'");
            }
        }
        english = english != null ? english : domains.containsKey("english") ? "english" : "none";
        if (!english.equals("none") && !domains.containsKey(english)) {
            throw new IllegalArgumentException("english: no domain '" + english + "'; have " + domains.keySet());
        }
        domains = weighted(domains, english);
        if (domains.values().stream().allMatch(d -> d.weight() == 0)) {
            throw new IllegalArgumentException("domains: every weight is 0; nothing to train the mixed-data methods on");
        }
        budget = budget == null ? Budget.DEFAULT : budget;
        rotate = TrainedSets.checked(rotate, domains, english);
        TrainedSets.checkMethods(methods, rotate, domains, english);
        methods = resolved(methods, budget, domains, english);
        seeds = seeds == null ? List.of(0L) : ConfigValues.list("seeds", seeds);
        if (seeds.isEmpty() || new HashSet<>(seeds).size() != seeds.size() || seeds.stream().anyMatch(s -> s < 0)) {
            throw new IllegalArgumentException("seeds: need at least one seed, each >= 0 and given once, got " + seeds);
        }
        evaluation = (evaluation == null ? EvaluationSpec.DEFAULT : evaluation).resolved(budget, domains.containsKey("math"));
        if (evaluation.scoresMath() && !domains.containsKey(evaluation.mathDomain())) {
            throw new IllegalArgumentException("evaluation.mathDomain: no domain '" + evaluation.mathDomain()
                    + "'; have " + domains.keySet() + " (or 'none')");
        }
    }

    /** The English domain, or null when there is none. */
    public String englishDomain() {
        return english.equals("none") ? null : english;
    }

    /** Domains with their weights filled in: 1 by default, 0 for the English domain and for a test-only domain. */
    private static Map<String, DomainSpec> weighted(Map<String, DomainSpec> domains, String english) {
        Map<String, DomainSpec> out = new LinkedHashMap<>();
        domains.forEach((name, d) -> {
            if (d == null) {
                throw new IllegalArgumentException("domains." + name + ": empty; give a corpus spec, e.g. " + name + ": code");
            }
            out.put(name, d.weight() != null ? d : d.withWeight(name.equals(english) || d.source() == null ? 0 : 1));
        });
        return out;
    }

    private static List<MethodSpec> resolved(List<MethodSpec> methods, Budget budget, Map<String, DomainSpec> domains,
                                             String english) {
        if (methods == null || methods.isEmpty()) {
            throw new IllegalArgumentException("methods: required, e.g. [{name: full, method: full}, {name: mode, method: mode}]");
        }
        // experts are trained only for domains that train: a source and a weight above 0
        List<String> experts = domains.keySet().stream().filter(d -> domains.get(d).trains()).toList();
        List<MethodSpec> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < methods.size(); i++) {
            MethodSpec m = methods.get(i);
            if (m == null) {
                throw new IllegalArgumentException("methods." + i + ": empty entry");
            }
            if (!names.add(m.name())) {
                throw new IllegalArgumentException("methods." + i + ".name: '" + m.name() + "' is used twice");
            }
            if ((m.method().equals("mode") || m.method().equals("btx")) && m.experts() == null && experts.isEmpty()) {
                throw new IllegalArgumentException("methods." + i + ".experts: no domain trains (every weight is 0); "
                        + "experts are trained only on domains with a source and a weight above 0");
            }
            MethodSpec r = m.resolved(budget.lr(), experts);
            if (r.experts() != null) {
                for (String e : r.experts()) {
                    if (!domains.containsKey(e)) {
                        throw new IllegalArgumentException("methods." + i + ".experts: no domain '" + e + "'; have " + domains.keySet());
                    }
                    if (!domains.get(e).trains()) {
                        throw new IllegalArgumentException("methods." + i + ".experts: domain '" + e + "' does not train ("
                                + (domains.get(e).source() == null ? "test only" : "weight 0") + ": evaluated only); experts are "
                                + "trained only on domains with a source and a weight above 0");
                    }
                }
                int stage1 = budget.steps() - budget.stage2Steps();
                if (stage1 < r.experts().size()) {
                    throw new IllegalArgumentException("budget.stage2Steps: leaves " + stage1 + " stage-1 steps for the "
                            + r.experts().size() + " experts of method '" + m.name() + "'; need at least 1 each");
                }
            }
            out.add(r);
        }
        return List.copyOf(out);
    }

    /** This config with the budget's sequence length filled in. */
    public ExperimentConfig withSeq(int seq) {
        return new ExperimentConfig(name, backbone, domains, english, rotate, methods, budget.withSeq(seq), seeds, evaluation);
    }

    /**
     * The config one run of {@code m} trains under: only {@code trained} train (at their weights), every
     * other domain is held out (weight 0), and {@code m} is its only method (a MoDE or BTX method's experts: the
     * trained domains). Everything else, evaluation included, is this config's.
     */
    ExperimentConfig trainingOn(List<String> trained, MethodSpec m) {
        Map<String, DomainSpec> only = new LinkedHashMap<>();
        domains.forEach((d, spec) -> only.put(d, trained.contains(d) ? spec : spec.withWeight(0)));
        MethodSpec one = m.method().equals("mode") || m.method().equals("btx") ? m.withDefaultExperts() : m;
        return new ExperimentConfig(name, backbone, only, english, null, List.of(one), budget, seeds, evaluation);
    }

    /** The domains that train (a source and a weight above 0), in order. */
    public List<String> trainingDomains() {
        return domains.keySet().stream().filter(d -> domains.get(d).trains()).toList();
    }

    /**
     * Every domain some run trains on: those that train, and the English domain when a method mixes it in
     * ({@code retentionWeight}). The held-out checks compare every evaluated part with each of these.
     */
    public List<String> trainedByAnyRun() {
        List<String> out = new ArrayList<>(trainingDomains());
        if (englishDomain() != null && methods.stream().anyMatch(m -> m.retentionMix() > 0) && !out.contains(english)) {
            out.add(english);
        }
        return List.copyOf(out);
    }

    /** The method named {@code name}. */
    public MethodSpec method(String methodName) {
        return methods.stream().filter(m -> m.name().equals(methodName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no method '" + methodName + "'"));
    }
}
