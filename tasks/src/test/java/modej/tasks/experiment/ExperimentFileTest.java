package modej.tasks.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExperimentFileTest {

    static final String YAML = """
            name: demo
            backbone:
              checkpoint: backbone.safetensors
            domains:
              code: code
              math: {source: "math?count=50&seed=1", weight: 2}
              english: english
            methods:
              - {name: full, method: full}
              - {name: lora-r4, method: lora, rank: 4}
              - {name: mode, method: mode, blocks: 1, topK: 1}
            budget: {steps: 40, stage2Steps: 10, batch: 4, seq: 32, lr: 1e-3}
            seeds: [0, 1]
            """;

    static ExperimentConfig read(String yaml, String... sets) {
        return ExperimentFile.read(yaml, false, "exp.yaml", List.of(sets));
    }

    static String error(String yaml, String... sets) {
        return assertThrows(IllegalArgumentException.class, () -> read(yaml, sets)).getMessage();
    }

    @Test
    void readsEveryFieldAndFillsDefaults() {
        ExperimentConfig c = read(YAML);
        assertEquals("demo", c.name());
        assertEquals("backbone.safetensors", c.backbone().checkpoint());
        assertEquals(List.of("code", "math", "english"), List.copyOf(c.domains().keySet()));
        assertEquals(1.0, c.domains().get("code").weight());
        assertEquals(2.0, c.domains().get("math").weight());
        assertEquals(0.0, c.domains().get("english").weight(), "English is held out by default");
        assertEquals("english", c.englishDomain());
        assertEquals(1e-3f, c.budget().lr());
        assertEquals(4, c.method("lora-r4").rank());
        assertEquals(16f, c.method("lora-r4").alpha());
        assertEquals(MethodSpec.ALL_TARGETS, c.method("lora-r4").targets());
        MethodSpec mode = c.method("mode");
        assertEquals(List.of("code", "math"), mode.experts(), "experts default to every domain but English");
        assertEquals(1, mode.topK());
        assertEquals(1, mode.expertLayers());
        assertEquals("copy:last", mode.init());
        assertFalse(mode.trainGateOnly());
        assertNull(c.method("full").rank(), "full takes no rank");
        assertEquals(1e-3f, c.method("full").lr(), "lr defaults to the budget's");
        assertEquals(List.of(0L, 1L), c.seeds());
        assertEquals(4, c.evaluation().batch(), "evaluation batch defaults to the budget's");
        assertEquals("math", c.evaluation().mathDomain());
        assertEquals(1, c.evaluation().lossEvery());
    }

    @Test
    void jsonReadsIntoTheSameRecords(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("exp.json");
        Files.writeString(json, """
                {"name": "demo", "backbone": {"checkpoint": "backbone.safetensors"},
                 "domains": {"code": "code", "math": {"source": "math?count=50&seed=1", "weight": 2}, "english": "english"},
                 "methods": [{"name": "full", "method": "full"}, {"name": "lora-r4", "method": "lora", "rank": 4},
                             {"name": "mode", "method": "mode", "blocks": 1, "topK": 1}],
                 "budget": {"steps": 40, "stage2Steps": 10, "batch": 4, "seq": 32, "lr": 1e-3}, "seeds": [0, 1]}
                """);
        assertEquals(read(YAML), ExperimentFile.read(json, List.of()));
    }

    @Test
    void resolvedYamlReadsBackToTheSameConfig() {
        ExperimentConfig c = read(YAML);
        String resolved = ExperimentFile.yaml(c);
        assertEquals(c, read(resolved), resolved);
        assertTrue(resolved.contains("stage2Steps: 10"), resolved);
    }

    @Test
    void overridesReplaceValuesListEntriesAndWholeLists() {
        ExperimentConfig c = read(YAML, "methods.1.rank=16", "budget.steps=60", "seeds=[3, 4, 5]",
                "domains.math=math?count=9&seed=2", "methods.2.trainGateOnly=true", "evaluation.mathProblems=0");
        assertEquals(16, c.method("lora-r4").rank());
        assertEquals(60, c.budget().steps());
        assertEquals(List.of(3L, 4L, 5L), c.seeds());
        assertEquals("math?count=9&seed=2", c.domains().get("math").source());
        assertEquals(1.0, c.domains().get("math").weight(), "the short form takes the default weight");
        assertTrue(c.method("mode").trainGateOnly());
        assertFalse(c.evaluation().scoresMath());
    }

    @Test
    void overridesMayFillSectionsTheFileLeavesOut() {
        ExperimentConfig c = read(YAML, "evaluation.evalBatches=3", "backbone.checkpoint=null",
                "backbone.pretrain.steps=5");
        assertEquals(3, c.evaluation().evalBatches());
        assertEquals(5, c.backbone().pretrain().steps());
        assertEquals("english", c.backbone().pretrain().corpus());
    }

    @Test
    void unknownKeysNameTheirPathAndTheKnownKeys() {
        assertEquals("exp.yaml: budget.stpes: unknown key 'stpes'; known: batch, gradClip, lr, minLr, seq, stage2Steps, steps, "
                + "warmupSteps, weightDecay", error(YAML.replace("steps: 40,", "stpes: 40,")));
        assertTrue(error(YAML.replace("rank: 4", "rnak: 4")).startsWith("exp.yaml: methods.1.rnak: unknown key 'rnak'"));
        assertTrue(error(YAML + "colour: red\n").startsWith("exp.yaml: colour: unknown key 'colour'; known: backbone,"));
    }

    @Test
    void wrongTypesNameTheirPath() {
        assertEquals("exp.yaml: methods.1.rank: expected a whole number, got 'four'",
                error(YAML.replace("rank: 4", "rank: four")));
        assertEquals("exp.yaml: budget.batch: expected a whole number, got '4.5'",
                error(YAML.replace("batch: 4", "batch: 4.5")));
        assertEquals("exp.yaml: seeds: expected a list, got '7'", error(YAML.replace("seeds: [0, 1]", "seeds: 7")));
        assertEquals("exp.yaml: budget: expected a section of keys, got a list",
                error(YAML.replace("budget: {steps: 40, stage2Steps: 10, batch: 4, seq: 32, lr: 1e-3}", "budget: [1, 2]")));
        assertEquals("exp.yaml: methods.2.sequenceGate: expected true or false, got 'maybe'",
                error(YAML.replace("topK: 1}", "topK: 1, sequenceGate: maybe}")));
    }

    @Test
    void valuesOutOfRangeAndMisplacedOptionsNameTheirPath() {
        assertEquals("exp.yaml: methods.0.rank: not an option of method 'full'; its options: perDomain, retentionWeight",
                error(YAML.replace("method: full}", "method: full, rank: 3}")));
        assertEquals("exp.yaml: methods.2.rank: not an option of method 'mode'; its options: blocks, expertLayers, init, "
                + "topK, temperature, sequenceGate, balance, trainGateOnly, experts, gateNorm, gateInit, gateLrScale, "
                + "retentionWeight", error(YAML.replace("topK: 1}", "topK: 1, rank: 2}")));
        assertEquals("exp.yaml: methods.2.gateInit: expected fresh or stage1, got 'warm'",
                error(YAML.replace("topK: 1}", "topK: 1, gateInit: warm}")));
        assertEquals("exp.yaml: methods.2.gateLrScale: must be > 0, got 0.0",
                error(YAML.replace("topK: 1}", "topK: 1, gateLrScale: 0}")));
        assertEquals("exp.yaml: methods.1.gateNorm: not an option of method 'lora'; its options: rank, alpha, targets, "
                + "perDomain, retentionWeight",
                error(YAML.replace("rank: 4", "rank: 4, gateNorm: true")));
        assertEquals("exp.yaml: methods.1.rank: must be >= 1, got 0", error(YAML.replace("rank: 4", "rank: 0")));
        assertEquals("exp.yaml: methods.1.method: unknown 'lroa'; valid: mode, btx, full, lora, lora-matched, moe-lora, frozen",
                error(YAML.replace("method: lora,", "method: lroa,")));
        assertEquals("exp.yaml: methods.2.experts: no domain 'chess'; have [code, math, english]",
                error(YAML.replace("topK: 1}", "topK: 1, experts: [chess]}")));
        assertEquals("exp.yaml: methods.1.name: 'full' is used twice",
                error(YAML.replace("name: lora-r4", "name: full")));
        assertEquals("exp.yaml: backbone: give either 'checkpoint' or 'pretrain', not both",
                error(YAML.replace("checkpoint: backbone.safetensors", "checkpoint: b\n  pretrain: {steps: 3}")));
        assertEquals("exp.yaml: english: no domain 'englsh'; have [code, math, english]", error(YAML + "english: englsh\n"));
        assertEquals("exp.yaml: budget.stage2Steps: 40 leaves no steps of 40 for MoDE's stage 1; must be < steps",
                error(YAML.replace("stage2Steps: 10", "stage2Steps: 40")));
        assertEquals("exp.yaml: domains.math.weight: must be >= 0, got -1.0", error(YAML.replace("weight: 2", "weight: -1")));
        assertEquals("exp.yaml: name: required, e.g. table1-small", error(YAML.replace("name: demo\n", "")));
        assertEquals("exp.yaml: seeds: entry 1 is empty", error(YAML.replace("seeds: [0, 1]", "seeds: [0, null]")));
        assertEquals("exp.yaml: methods.1.targets: entry 0 is empty", error(YAML.replace("rank: 4", "rank: 4, targets: [null]")));
        assertEquals("exp.yaml: methods.0.blocks: not an option of method 'full'; its options: perDomain, retentionWeight",
                error(YAML, "methods.0.blocks=2").replace("--set methods.0.blocks=2", "exp.yaml"));
    }

    @Test
    void badOverridesNameTheArgument() {
        assertEquals("--set budget.stpes=5: budget.stpes: unknown key 'stpes'; known: batch, gradClip, lr, minLr, seq, stage2Steps, "
                + "steps, warmupSteps, weightDecay", error(YAML, "budget.stpes=5"));
        assertEquals("--set methods.7.rank=2: methods has 3 entries (0 to 2), no entry 7", error(YAML, "methods.7.rank=2"));
        assertEquals("--set methods.x.rank=2: methods is a list; expected an index, got 'x'", error(YAML, "methods.x.rank=2"));
        assertEquals("--set budget.steps.max=2: budget.steps is a single value, not a section or list; cannot set 'max' in it",
                error(YAML, "budget.steps.max=2"));
        assertEquals("--set budget.batch=big: budget.batch: expected a whole number, got 'big'", error(YAML, "budget.batch=big"));
        assertEquals("--set budget: expected KEY.PATH=VALUE, e.g. budget.steps=100", error(YAML, "budget"));
        assertEquals("--set nosuch.key=1: nosuch: unknown key 'nosuch'; known: backbone, budget, domains, english, evaluation, "
                + "methods, name, rotate, seeds", error(YAML, "nosuch.key=1"));
    }

    @Test
    void syntaxErrorsAndMissingFilesAreOneLine(@TempDir Path dir) {
        String bad = error("name: [unclosed\n");
        assertTrue(bad.startsWith("exp.yaml: not valid YAML at line"), bad);
        assertFalse(bad.contains("\n"), bad);
        assertEquals("exp.yaml: empty; expected keys name, backbone, domains, methods, ...", error(""));
        Path missing = dir.resolve("nope.yaml");
        assertEquals(missing + ": no such experiment file",
                assertThrows(IllegalArgumentException.class, () -> ExperimentFile.read(missing, List.of())).getMessage());
    }
}
