package modej.tasks.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

/**
 * The experiment-file keys of issue 14's variants: {@code rotate} (trained sets), a method's
 * {@code perDomain} and {@code retentionWeight}: one-line errors naming the key, the units they
 * make (labels, order, the config each run trains under), and listing/sharding that covers them.
 */
class VariantsConfigTest {

    static final String YAML = """
            name: rot
            backbone: {checkpoint: backbone.safetensors}
            domains:
              code: code
              math: {source: "math?count=50&seed=1", weight: 2}
              english: english
            rotate: [[code], [math], [code, math]]
            methods:
              - {name: frozen, method: frozen}
              - {name: full, method: full, perDomain: true}
              - {name: lora, method: lora, rank: 4, retentionWeight: 0.5}
              - {name: mode, method: mode, blocks: 1}
            budget: {steps: 40, stage2Steps: 10, batch: 4, seq: 32}
            seeds: [0, 1]
            """;

    static ExperimentConfig read(String yaml, String... sets) {
        return ExperimentFile.read(yaml, false, "exp.yaml", List.of(sets));
    }

    static String error(String yaml, String... sets) {
        return assertThrows(IllegalArgumentException.class, () -> read(yaml, sets)).getMessage();
    }

    @Test
    void badRotateIsAOneLineErrorNamingTheSet() {
        assertEquals("exp.yaml: rotate: need at least one trained set, e.g. [[code], [math], [code, math]]",
                error(YAML, "rotate=[]"));
        assertEquals("exp.yaml: rotate.1: no domain 'nosuch'; have [code, math, english]",
                error(YAML.replace("[math], [code, math]", "[nosuch]")));
        assertEquals("exp.yaml: rotate.0: 'english' is the retention domain, held out in every set; to train on some "
                + "of it, give a method retentionWeight", error(YAML.replace("[[code],", "[[english],")));
        assertEquals("exp.yaml: rotate.2: 'code' given twice", error(YAML.replace("[code, math]]", "[code, code]]")));
        assertEquals("exp.yaml: rotate.2: the same domains as rotate.0", error(YAML.replace("[code, math]]", "[code]]")));
        assertEquals("exp.yaml: rotate.0: empty; a trained set names at least one domain, e.g. [code]",
                error(YAML.replace("[[code],", "[[],")));
        assertEquals("exp.yaml: rotate.0: expected a list, got 'code'", error(YAML.replace("[[code], [math], [code, math]]",
                "[code, math]")));
        assertEquals("exp.yaml: rotate.1: domain 'math' does not train (weight 0); a trained set names domains with a "
                + "source and a weight above 0", error(YAML.replace("weight: 2", "weight: 0")));
        assertEquals("exp.yaml: methods.3.experts: not with rotate; each trained set's domains are the experts of its "
                + "MoDE runs", error(YAML.replace("blocks: 1}", "blocks: 1, experts: [code]}")));
    }

    @Test
    void badPerDomainAndRetentionWeightAreOneLineErrors() {
        assertTrue(error(YAML.replace("blocks: 1}", "blocks: 1, perDomain: true}"))
                .startsWith("exp.yaml: methods.3.perDomain: not an option of method 'mode'; its options: "));
        assertEquals("exp.yaml: methods.0.perDomain: not an option of method 'frozen', which takes none besides lr",
                error(YAML.replace("method: frozen}", "method: frozen, perDomain: true}")));
        assertEquals("exp.yaml: methods.1.perDomain: expected true or false, got 'maybe'",
                error(YAML.replace("perDomain: true", "perDomain: maybe")));
        assertEquals("exp.yaml: methods.2.retentionWeight: must be a number > 0 (the retention domain's weight in the mix, "
                + "on the scale of the domains' weights), got 0.0", error(YAML.replace("retentionWeight: 0.5", "retentionWeight: 0")));
        assertEquals("exp.yaml: methods.2.retentionWeight: must be a number > 0 (the retention domain's weight in the mix, "
                + "on the scale of the domains' weights), got -1.0", error(YAML.replace("retentionWeight: 0.5", "retentionWeight: -1")));
        assertEquals("--set methods.2.retentionWeight=lots: methods.2.retentionWeight: expected a number, got 'lots'",
                error(YAML, "methods.2.retentionWeight=lots"));
        assertEquals("exp.yaml: methods.2.retentionWeight: no retention domain to mix in (english: none)",
                error(YAML.replace("rotate:", "english: none\nrotate:")));
        assertEquals("exp.yaml: methods.2.retentionWeight: the retention domain 'english' is test only: it has no "
                + "training part to mix in", error(YAML.replace("english: english", "english: {test: english}")));
        assertEquals("exp.yaml: methods.2.retentionWeight: the retention domain 'english' trains already "
                + "(domains.english.weight 1.0)", error(YAML.replace("english: english", "english: {source: english, weight: 1}")));
    }

    @Test
    void everyMethodRunsOncePerTrainedSetAndFrozenOnce() {
        ExperimentConfig c = read(YAML);
        List<WorkUnit> units = WorkUnits.of(c);
        List<String> seed0 = List.of("frozen-seed0", "code.full@code-seed0", "code.lora-seed0", "code.mode-seed0",
                "math.full@math-seed0", "math.lora-seed0", "math.mode-seed0",
                "code+math.full@code-seed0", "code+math.full@math-seed0", "code+math.lora-seed0", "code+math.mode-seed0");
        List<String> expected = new ArrayList<>(seed0);
        seed0.forEach(l -> expected.add(l.replace("-seed0", "-seed1")));
        assertEquals(expected, units.stream().map(WorkUnit::label).toList());
        for (int i = 0; i < units.size(); i++) {
            assertEquals(i, units.get(i).index());
            assertEquals(i < seed0.size() ? 0 : 1, units.get(i).seed());
        }

        WorkUnit frozen = units.get(0);
        assertNull(frozen.variant().trained());
        assertNull(frozen.variant().config(), "the frozen backbone runs under the experiment's config");

        WorkUnit codeFull = byLabel(units, "code+math.full@code-seed0");
        assertEquals("full@code", codeFull.variant().row());
        assertEquals(List.of("code", "math"), codeFull.variant().trained());
        assertEquals(List.of("code"), codeFull.variant().config().trainingDomains(), "a per-domain model trains on its domain");
        assertTrue(codeFull.what().contains("on code only"), codeFull.what());

        WorkUnit mathMode = byLabel(units, "math.mode-seed1");
        assertEquals(List.of("math"), mathMode.variant().config().trainingDomains());
        assertEquals(List.of("math"), mathMode.method().experts(), "MoDE's experts are the trained set's domains");
        assertEquals(2.0, mathMode.variant().config().domains().get("math").weight(), "a trained domain keeps its weight");
        assertEquals(0.0, mathMode.variant().config().domains().get("code").weight(), "a domain outside the set is held out");
        assertEquals(List.of("code", "math"), byLabel(units, "code+math.mode-seed0").method().experts());
        assertEquals(List.of("code", "math"), byLabel(units, "code+math.lora-seed0").variant().config().trainingDomains());
        assertEquals(c.evaluation(), mathMode.variant().config().evaluation(), "every run is evaluated the same way");
        assertEquals(c.budget(), mathMode.variant().config().budget());

        // runs share a fingerprint exactly when they train the same: code.full@code is code+math.full@code
        java.util.Map<String, Set<String>> same = new java.util.HashMap<>();
        for (WorkUnit u : units) {
            ExperimentConfig under = u.variant().config() == null ? c : u.variant().config();
            String what = u.method().name() + " " + under.trainingDomains() + " " + u.seed();
            same.computeIfAbsent(Experiment.fingerprint(under, u.method(), u.seed(), "bb"), k -> new HashSet<>()).add(what);
        }
        assertEquals(18, same.size());
        same.values().forEach(whats -> assertEquals(1, whats.size(), whats.toString()));
    }

    @Test
    void withoutRotationAPerDomainMethodTrainsOneModelPerTrainingDomain() {
        ExperimentConfig c = read(YAML.replace("rotate: [[code], [math], [code, math]]\n", ""), "seeds=[0]");
        List<WorkUnit> units = WorkUnits.of(c);
        assertEquals(List.of("frozen-seed0", "full@code-seed0", "full@math-seed0", "lora-seed0", "mode-seed0"),
                units.stream().map(WorkUnit::label).toList());
        assertEquals(List.of("math"), byLabel(units, "full@math-seed0").variant().config().trainingDomains());
        assertNull(byLabel(units, "lora-seed0").variant().config(), "a plain run trains under the experiment's config");
        assertNull(byLabel(units, "mode-seed0").variant().trained());
        assertEquals(List.of("code", "math", "english"), c.trainedByAnyRun(), "lora mixes english in: checked as trained");
        assertEquals(List.of("code", "math"), read(YAML.replace("retentionWeight: 0.5", "alpha: 8")).trainedByAnyRun());
    }

    @Test
    void aPlainMethodKeepsTheFingerprintOfResultsMadeBeforeTheVariants() {
        // perDomain: false is stored as absent, so the method's JSON, and so its fingerprint, is as before the option existed
        ExperimentConfig a = read(YAML.replace("rotate: [[code], [math], [code, math]]\n", ""), "methods.1.perDomain=false");
        assertNull(a.methods().get(1).perDomain());
        assertEquals("{\"name\":\"full\",\"method\":\"full\",\"lr\":0.001}", ExperimentFile.json()
                .convertValue(a.methods().get(1), com.fasterxml.jackson.databind.JsonNode.class).toString());
        assertEquals(List.of("frozen-seed0", "full-seed0", "lora-seed0", "mode-seed0", "frozen-seed1", "full-seed1",
                "lora-seed1", "mode-seed1"), WorkUnits.of(a).stream().map(WorkUnit::label).toList());
    }

    @Test
    void listingAndShardsCoverEveryRotatedRun() {
        ExperimentConfig c = read(YAML);
        int n = WorkUnits.of(c).size();
        Set<Integer> covered = new TreeSet<>();
        for (int i = 0; i < 4; i++) {
            for (int u : WorkUnits.shard(i + "/4", n)) {
                assertTrue(covered.add(u), "unit " + u + " in two shards");
            }
        }
        assertEquals(n, covered.size());
        assertEquals(List.of(n - 1), WorkUnits.only(Integer.toString(n - 1), n));
        assertThrows(IllegalArgumentException.class, () -> WorkUnits.only(Integer.toString(n), n));
    }

    private static WorkUnit byLabel(List<WorkUnit> units, String label) {
        return units.stream().filter(u -> u.label().equals(label)).findFirst().orElseThrow(() -> new AssertionError(label));
    }

    @Test
    void theRetentionMatrixExampleRotatesEveryMethodThroughThreeSets() {
        ExperimentConfig c = ExampleFilesTest.read("retention-matrix");
        assertEquals(List.of(List.of("code"), List.of("math"), List.of("code", "math")), c.rotate());
        assertEquals("tiny", c.backbone().pretrain().preset());
        assertEquals(0.11f, c.method("full-mix").retentionWeight());
        // frozen once per seed, the 4 trained methods per set: 2 × (1 + 3 × 4) runs and the backbone
        assertEquals(1 + 2 * 13, WorkUnits.of(c).size());
    }
}
