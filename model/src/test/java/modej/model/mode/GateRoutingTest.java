package modej.model.mode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import modej.engine.jvm.JvmBackend;
import modej.model.checkpoint.ModeCheckpoint;
import modej.model.gpt.GptGraphs;
import modej.model.gpt.GptParams;
import modej.model.param.Slab;

/**
 * The gate options that let MoDE's gate route: a normalised gate input, and a stage-2 gate composed
 * from the stage-1 gates (each expert keeps the odds against the backbone its stage 1 learned).
 */
class GateRoutingTest {

    static final GateConfig NORM = new GateConfig(0, 1f, false, 0f, true);

    /** Adds N(0, sd) noise to every gate parameter: a gate that prefers something. */
    static void perturbGate(ModeParams m, long seed, double sd) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] p = m.gate().params().data();
        for (int i = 0; i < p.length; i++) {
            p[i] += (float) (r.nextGaussian() * sd);
        }
    }

    /** The gate weights (B·T, sources) of every block after a forward pass on {@code tokens}. */
    static float[][] gateWeights(ModeParams m, int[] tokens, int B, int T) {
        ModeGraphs g = new ModeGraphs(m, B, T);
        try (JvmBackend be = new JvmBackend(2, true, false)) {
            ModeTest.probs(g, be, tokens);
        }
        float[][] w = new float[m.config().blocks()][];
        for (int b = 0; b < w.length; b++) {
            w[b] = g.gateWeights(b).data().clone();
        }
        return w;
    }

    @Test
    void aNormalisedGateForcedToTheBackboneGivesTheBackboneExactly() {
        GptParams backbone = new GptParams(ModeTest.BACKBONE).init(1);
        ModeParams m = new ModeParams(backbone, new ModeConfig(2, 1, List.of("code", "math"), NORM, "random"), 2);
        ModeTest.forceGate(m, 0);
        int[] t = ModeTest.tokens(3, 16);
        try (JvmBackend be = new JvmBackend(2, true, false)) {
            assertArrayEquals(ModeTest.probs(new GptGraphs(backbone, 2, 8), be, t), ModeTest.probs(new ModeGraphs(m, 2, 8), be, t));
        }
    }

    @Test
    void theNormalisedGateDoesNotChangeTheLayoutOrTheDefault() {
        GptParams backbone = new GptParams(ModeTest.BACKBONE).init(1);
        ModeConfig plain = new ModeConfig(2, 1, List.of("a"), GateConfig.DEFAULT, "random");
        ModeConfig norm = new ModeConfig(2, 1, List.of("a"), NORM, "random");
        assertEquals(ModeParams.gateLayout(16, plain).size(), ModeParams.gateLayout(16, norm).size());
        assertFalse(GateConfig.DEFAULT.normalize());
        // same seed, same weights; only the gate's input differs, so its weights differ
        ModeParams a = new ModeParams(backbone, plain, 5), b = new ModeParams(backbone, norm, 5);
        perturbGate(a, 6, 0.5);
        perturbGate(b, 6, 0.5);
        int[] t = ModeTest.tokens(4, 16);
        float[] wa = gateWeights(a, t, 2, 8)[0], wb = gateWeights(b, t, 2, 8)[0];
        assertFalse(java.util.Arrays.equals(wa, wb));
    }

    @Test
    void aComposedGateOfOneExpertGivesItsStage1Weights() {
        GptParams backbone = new GptParams(ModeTest.BACKBONE).init(7);
        for (GateConfig gc : List.of(GateConfig.DEFAULT, NORM, new GateConfig(0, 0.5f, true, 0f, true))) {
            ModeParams stage1 = new ModeParams(backbone, new ModeConfig(2, 1, List.of("a"), gc, "copy:last"), 8);
            perturbGate(stage1, 9, 0.3);
            ModeParams composed = new ModeParams(backbone, stage1.config(), Map.of("a", stage1.expert("a")), 10);
            composed.composeGate(Map.of("a", stage1.gate()));
            int[] t = ModeTest.tokens(11, 16);
            float[][] w1 = gateWeights(stage1, t, 2, 8), w2 = gateWeights(composed, t, 2, 8);
            for (int b = 0; b < 2; b++) {
                assertArrayEquals(w1[b], w2[b], 2e-6f, gc + " block " + b);
            }
        }
    }

    @Test
    void aComposedGateKeepsEachExpertsStage1OddsAgainstTheBackbone() {
        GptParams backbone = new GptParams(ModeTest.BACKBONE).init(12);
        ModeConfig a = new ModeConfig(2, 1, List.of("a"), NORM, "copy:last"), b = new ModeConfig(2, 1, List.of("b"), NORM, "copy:last");
        ModeParams sa = new ModeParams(backbone, a, 13), sb = new ModeParams(backbone, b, 14);
        perturbGate(sa, 15, 0.3);
        perturbGate(sb, 16, 0.3);
        ModeConfig both = new ModeConfig(2, 1, List.of("a", "b"), NORM, "copy:last");
        ModeParams composed = new ModeParams(backbone, both, Map.of("a", sa.expert("a"), "b", sb.expert("b")), 17);
        composed.composeGate(Map.of("a", sa.gate(), "b", sb.gate()));
        int[] t = ModeTest.tokens(18, 16);
        // block 0 reads the embeddings in all three models, so the odds compare token by token
        float[] wa = gateWeights(sa, t, 2, 8)[0], wb = gateWeights(sb, t, 2, 8)[0], w = gateWeights(composed, t, 2, 8)[0];
        boolean someOddsFarFromEven = false;
        for (int r = 0; r < 16; r++) {
            double oddsA = Math.log(wa[2 * r + 1] / wa[2 * r]), oddsB = Math.log(wb[2 * r + 1] / wb[2 * r]);
            assertEquals(oddsA, Math.log(w[3 * r + 1] / w[3 * r]), 1e-4, "token " + r + ", expert a");
            assertEquals(oddsB, Math.log(w[3 * r + 2] / w[3 * r]), 1e-4, "token " + r + ", expert b");
            someOddsFarFromEven |= Math.abs(oddsA) > 0.5 && Math.abs(oddsB) > 0.5;
        }
        assertTrue(someOddsFarFromEven, "the stage-1 gates should prefer something, or the test shows nothing");
    }

    @Test
    void composingRefusesAMissingOrMisshapenStage1Gate() {
        GptParams backbone = new GptParams(ModeTest.BACKBONE).init(1);
        ModeConfig two = new ModeConfig(2, 1, List.of("a", "b"), GateConfig.DEFAULT, "random");
        ModeParams m = new ModeParams(backbone, two, 2);
        Slab oneGate = new ModeParams(backbone, new ModeConfig(2, 1, List.of("a"), GateConfig.DEFAULT, "random"), 3).gate();
        assertThrows(IllegalArgumentException.class, () -> m.composeGate(Map.of("a", oneGate)));
        assertThrows(IllegalArgumentException.class, () -> m.composeGate(Map.of("a", oneGate, "b", m.gate())));
    }

    @Test
    void theGateNormIsSavedAndAnOlderCheckpointReadsAsWithout(@TempDir Path dir) throws Exception {
        GptParams backbone = new GptParams(ModeTest.BACKBONE).init(1);
        ModeConfig cfg = new ModeConfig(2, 1, List.of("a"), NORM, "random");
        Path file = dir.resolve("norm.safetensors");
        ModeCheckpoint.save(file, new ModeParams(backbone, cfg, 2), Map.of(), false);
        assertEquals(cfg, ModeCheckpoint.load(file, backbone, false).config());
        // what checkpoints before the option held: no "normalize" key
        String old = "{\"topK\":1,\"temperature\":1.0,\"sequenceLevel\":false,\"balanceCoef\":0.0}";
        assertEquals(new GateConfig(1, 1f, false, 0f), new ObjectMapper().readValue(old, GateConfig.class));
    }
}
