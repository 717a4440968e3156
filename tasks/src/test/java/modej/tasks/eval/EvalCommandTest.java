package modej.tasks.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import modej.engine.jvm.JvmBackend;
import modej.model.gpt.Runner;
import modej.tasks.data.DomainData;
import modej.tasks.train.Validation;

/** {@code ./modej eval} on a tiny backbone, two synthetic domains and one checkpoint of each kind. */
class EvalCommandTest {

    /** english's held-out split fills more than 25 batches (the cap applies); digits' fewer, the last part-filled. */
    static final int BATCH = 5, SEQ = 16, MAX_BATCHES = 25;
    static final double VALIDATION = EvalFixture.VALIDATION;
    static final List<String> MODELS = List.of("frozen", "full", "lora", "mode", "forced", "seqgate");

    @TempDir
    static Path dir;
    static EvalFixture files;
    static EvalFixture.Outcome outcome;
    static JsonNode json;

    @BeforeAll
    static void evaluate() throws Exception {
        files = new EvalFixture(dir);
        Path jsonFile = dir.resolve("out/eval.json");
        List<String> args = new ArrayList<>(List.of("eval", "--backbone", files.backbone.toString(),
                "--model", "full=full:" + files.full, "--model", "lora=lora:" + files.lora,
                "--model", "mode=mode:" + files.mode, "--model", "forced=mode:" + files.forced,
                "--model", "seqgate=mode:" + files.sequenceGate, "--batch", "" + BATCH, "--seq", "" + SEQ,
                "--eval-batches", "" + MAX_BATCHES, "--validation", "" + VALIDATION, "--threads", "2",
                "--json", jsonFile.toString()));
        args.addAll(files.dataArgs());
        outcome = EvalFixture.run(args);
        assertEquals(0, outcome.code(), outcome.err());
        json = new ObjectMapper().readTree(jsonFile.toFile());
    }

    static JsonNode model(String label) {
        for (JsonNode m : json.get("models")) {
            if (m.get("label").asText().equals(label)) {
                return m;
            }
        }
        throw new AssertionError("no model " + label + " in " + json);
    }

    @Test
    void frozenMetricsEqualValidationOnARunnerBuiltDirectly() {
        DomainData data = DomainData.load(files.dataArgs().stream().filter(a -> a.contains("=")).toList(), VALIDATION);
        try (JvmBackend be = new JvmBackend(2, true, false)) {
            Runner runner = Runner.of(files.params, BATCH, SEQ, be, null);
            for (String d : List.of("english", "digits")) {
                Validation.Result r = Validation.run(runner, data.get(d).validation(), BATCH, SEQ, MAX_BATCHES);
                JsonNode m = model("frozen").get("metrics").get(d);
                assertEquals(r.loss(), m.get("loss").doubleValue(), d);
                assertEquals(r.accuracy(), m.get("accuracy").doubleValue(), d);
                assertEquals(r.perplexity(), m.get("perplexity").doubleValue(), d);
                assertEquals(r.bitsPerByte(), m.get("bitsPerByte").doubleValue(), d);
                assertEquals(r.rows(), m.get("rows").longValue(), d);
            }
        }
    }

    @Test
    void retentionOfTheFrozenBackboneIsExactlyOne() {
        JsonNode r = model("frozen").get("retention");
        assertEquals("english", json.get("english").asText());
        assertEquals("english", r.get("domain").asText());
        assertEquals(1.0, r.get("accuracyRatio").doubleValue());
        assertEquals(0.0, r.get("lossDifference").doubleValue());
    }

    @Test
    void moDEWithItsGateForcedOntoTheBackboneIsTheFrozenBackbone() {
        JsonNode r = model("forced").get("retention");
        assertEquals(1.0, r.get("accuracyRatio").doubleValue());
        assertEquals(0.0, r.get("lossDifference").doubleValue());
        assertEquals(model("frozen").get("metrics"), model("forced").get("metrics"));
        for (JsonNode blocks : model("forced").get("gates")) {
            for (JsonNode b : blocks) {
                assertEquals(1.0, b.get("meanWeights").get(0).doubleValue());
                assertEquals(0.0, b.get("entropyOfMean").doubleValue());
            }
        }
    }

    @Test
    void adaptedModelsDifferFromTheFrozenBackbone() {
        for (String label : List.of("full", "lora", "mode", "seqgate")) {
            assertNotEquals(model("frozen").get("metrics").get("english").get("loss"),
                    model(label).get("metrics").get("english").get("loss"), label);
            assertNotEquals(0.0, model(label).get("retention").get("lossDifference").doubleValue(), label);
        }
    }

    @Test
    void gateMeansSumToOneOverTheEvaluatedTokens() {
        for (String label : List.of("mode", "forced", "seqgate")) {
            JsonNode gates = model(label).get("gates");
            assertEquals(List.of("english", "digits"), names(gates), label);
            for (String d : List.of("english", "digits")) {
                long rows = model(label).get("metrics").get(d).get("rows").longValue();
                assertEquals(2, gates.get(d).size(), label + " blocks");
                for (JsonNode b : gates.get(d)) {
                    double sum = 0;
                    for (JsonNode w : b.get("meanWeights")) {
                        sum += w.doubleValue();
                    }
                    assertEquals(1.0, sum, 1e-5, label + " " + d + " block " + b.get("block"));
                    assertEquals(rows, b.get("tokens").longValue(), "padding rows are not counted");
                    assertTrue(b.get("meanEntropy").doubleValue() <= b.get("entropyOfMean").doubleValue() + 1e-9,
                            "concavity: mean of entropies <= entropy of the mean");
                }
            }
        }
        boolean padded = false;
        for (String d : List.of("english", "digits")) {
            padded |= model("mode").get("metrics").get(d).get("rows").longValue() / SEQ % BATCH != 0;
        }
        assertTrue(padded, "the data should leave a part-filled last batch, so that padding is tested");
        JsonNode uniform = model("mode").get("gates").get("english").get(0);
        assertTrue(uniform.get("meanEntropy").doubleValue() > 0.01, "a random dense gate is undecided");
    }

    @Test
    void sequenceGateCountsEachDecisionOncePerToken() {
        for (String d : List.of("english", "digits")) {
            long rows = model("seqgate").get("metrics").get(d).get("rows").longValue();
            for (JsonNode b : model("seqgate").get("gates").get(d)) {
                // top-1 renormalises p·(1/p), which is 1 within a float rounding, not exactly
                assertEquals(0.0, b.get("meanEntropy").doubleValue(), 1e-6, "top-1: every decision is certain");
                // the causal sequence gate decides per token (from the prefix mean): whole tokens per source
                double sum = 0;
                for (JsonNode w : b.get("meanWeights")) {
                    double tokens = w.doubleValue() * rows;   // tokens whose gate chose this source
                    assertEquals(Math.rint(tokens), tokens, 1e-3, "whole tokens, " + d);
                    sum += tokens;
                }
                assertEquals(rows, sum, 1e-3, "every token counted once, " + d);
                assertEquals(rows, b.get("tokens").longValue(), d);
            }
        }
    }

    @Test
    void jsonHoldsEveryModelAndDomainAndTheSettings() {
        List<String> labels = new ArrayList<>();
        json.get("models").forEach(m -> labels.add(m.get("label").asText()));
        assertEquals(MODELS, labels);
        for (String label : MODELS) {
            assertEquals(List.of("english", "digits"), names(model(label).get("metrics")), label);
        }
        assertEquals("lora-matched", model("lora").get("method").asText());
        assertEquals(16, json.get("backbone").get("width").intValue());
        assertEquals(SEQ, json.get("settings").get("seq").intValue());
        JsonNode full = model("full").get("costs");
        assertEquals(EvalFixture.CONFIG.parameterCount(), full.get("trainableParams").longValue());
        assertEquals(400.0, full.get("trainTokensPerSecond").doubleValue(), 1e-9);
        assertEquals(64, full.get("trainPeakHeapMiB").longValue());
        assertEquals(3145728, full.get("trainBufferBytes").longValue());
        assertTrue(model("frozen").get("costs").get("trainSeconds").isNull());
        assertEquals(0, model("frozen").get("costs").get("trainableParams").longValue());
        long gate = model("forced").get("costs").get("trainableParams").longValue();
        long expertsAndGate = model("mode").get("costs").get("trainableParams").longValue();
        assertTrue(gate > 0 && gate < expertsAndGate, "metadata's count (gate only) wins over the kind's");
    }

    @Test
    void stdoutHasTheTables() {
        String out = outcome.out();
        for (String s : List.of("english acc", "digits loss", "retention on english", "frozen 1.0000 +0.0000",
                "fwd FLOPs/token", "gate of mode", "gate of seqgate", "json: ")) {
            assertTrue(out.contains(s), "stdout lacks '" + s + "':\n" + out);
        }
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
