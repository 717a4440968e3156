package modej.model.moelora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import modej.engine.jvm.JvmBackend;
import modej.model.checkpoint.CheckpointException;
import modej.model.gpt.GptConfig;
import modej.model.gpt.GptGraphs;
import modej.model.gpt.GptParams;
import modej.model.gpt.GptTest;
import modej.model.gpt.LmGraphs;
import modej.model.gpt.Runner;
import modej.model.lora.LoraModel;
import modej.model.lora.LoraParams;
import modej.model.lora.LoraSlot;
import modej.model.param.AdamWSettings;
import modej.model.param.Slab;
import modej.model.param.Slice;

class MoeLoraTest {

    static final GptConfig CFG = new GptConfig(256, 8, 2, 2, 16, true);

    static MoeLoraConfig config(int experts, int topK, float balance) {
        return new MoeLoraConfig(experts, 2, 4f, LoraSlot.TARGETS, topK, balance);
    }

    static float[] probs(LmGraphs g, JvmBackend be, int[] tokens) {
        System.arraycopy(tokens, 0, g.tokens().data(), 0, tokens.length);
        java.util.Arrays.fill(g.targets().data(), -1);
        be.toDevice(g.tokens(), g.targets());
        g.forward().forEach(graph -> be.compile(graph).run());
        be.toHost(g.probs());
        return g.probs().data().clone();
    }

    /** Every B random, so that the experts and hence the router matter. */
    static void randomiseB(MoeLoraParams m, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (Slice s : m.slab().layout().slices()) {
            if (s.name().endsWith(".B")) {
                for (int i = 0; i < s.size(); i++) {
                    m.slab().params().data()[s.offset() + i] = (float) (r.nextGaussian() * 0.3);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void startsEqualToTheBackboneExactly(int topK) {
        GptParams p = new GptParams(CFG).init(1);
        MoeLoraModel m = new MoeLoraModel(p, new MoeLoraParams(CFG, config(3, topK, 0.01f), 2));
        int[] t = GptTest.randomTokens(3, 16, 256);
        try (JvmBackend be = new JvmBackend(2, true, false)) {
            float[] backbone = probs(new GptGraphs(p, 2, 8), be, t);
            float[] adapted = probs(m.graphs(2, 8), be, t);
            assertArrayEquals(backbone, adapted);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2})
    void gradientsMatchFiniteDifferencesAndTheBackboneStaysFrozen(int topK) {
        GptParams p = new GptParams(CFG).init(8);
        List<float[]> before = p.slabs().stream().map(s -> s.params().data().clone()).toList();
        MoeLoraParams m = new MoeLoraParams(CFG, config(3, topK, 0.05f), 9);
        randomiseB(m, 10);
        MoeLoraModel model = new MoeLoraModel(p, m);
        int B = 2, T = 8;
        int[] tok = GptTest.randomTokens(11, B * T, 256), tgt = GptTest.randomTokens(12, B * T, 256);
        LmGraphs g = model.graphs(B, T);
        try (JvmBackend be = new JvmBackend(2, true, false)) {
            System.arraycopy(tok, 0, g.tokens().data(), 0, B * T);
            System.arraycopy(tgt, 0, g.targets().data(), 0, B * T);
            g.lossScale().data()[0] = 1f / (B * T);
            g.forward().forEach(graph -> be.compile(graph).run());
            g.backward().forEach(graph -> be.compile(graph).run());
        }
        Slab s = m.slab();
        float[] w = s.params().data(), grad = s.grads().data();
        SplittableRandom rnd = new SplittableRandom(13);
        int routerChecked = 0, routerNonZero = 0;
        for (Slice slice : s.layout().slices()) {
            boolean router = slice.name().endsWith(".router.weight");
            for (int k = 0; k < (router ? 12 : 2); k++) {
                int i = slice.offset() + rnd.nextInt(slice.size());
                float keep = w[i], plus = keep + 1e-3f, minus = keep - 1e-3f;
                w[i] = plus;
                double lp = ReferenceMoeLora.loss(p, m, tok, tgt, B, T);
                w[i] = minus;
                double lm = ReferenceMoeLora.loss(p, m, tok, tgt, B, T);
                w[i] = keep;
                double fd = (lp - lm) / ((double) plus - minus);
                if (Math.abs(grad[i] - fd) > 3e-5 + 5e-3 * Math.abs(fd)) {
                    fail(slice.name() + "[" + (i - slice.offset()) + "]: backward " + grad[i] + ", finite difference " + fd);
                }
                if (router) {
                    routerChecked++;
                    routerNonZero += Math.abs(fd) > 1e-5 ? 1 : 0;
                }
            }
        }
        assertTrue(routerNonZero > routerChecked / 2, "the router's gradient is mostly zero: nothing was checked");
        try (JvmBackend be = new JvmBackend(2, true, false)) {
            Runner r = new Runner(model.graphs(B, T), be, AdamWSettings.DEFAULT);
            for (int step = 1; step <= 3; step++) {
                r.trainStep(tok, tgt, 1e-2f, step);
            }
        }
        for (int i = 0; i < before.size(); i++) {
            assertArrayEquals(before.get(i), p.slabs().get(i).params().data(), p.slabs().get(i).name());
        }
    }

    @Test
    void theRouterKeepsTheTopKWeightsSummingToOne() {
        GptParams p = new GptParams(CFG).init(1);
        MoeLoraGraphs g = new MoeLoraModel(p, new MoeLoraParams(CFG, config(4, 2, 0f), 2)).graphs(2, 8);
        try (JvmBackend be = new JvmBackend(2, true, false)) {
            probs(g, be, GptTest.randomTokens(3, 16, 256));
            for (int l = 0; l < CFG.layers(); l++) {
                be.toHost(g.routerWeights(l));
                float[] w = g.routerWeights(l).data();
                for (int row = 0; row < 16; row++) {
                    int kept = 0;
                    double sum = 0;
                    for (int e = 0; e < 4; e++) {
                        kept += w[row * 4 + e] > 0 ? 1 : 0;
                        sum += w[row * 4 + e];
                    }
                    assertEquals(2, kept, "layer " + l + " row " + row);
                    assertEquals(1, sum, 1e-6, "layer " + l + " row " + row);
                }
            }
        }
    }

    /** Training with 1 and 2 threads (the Vector API on and off) gives bit-identical weights. */
    @Test
    void trainingIsBitIdenticalForAnyThreadCount() {
        float[][] trained = new float[3][];
        int i = 0;
        for (int threads : new int[]{1, 2}) {
            for (boolean vector : threads == 1 ? new boolean[]{false, true} : new boolean[]{true}) {
                GptParams p = new GptParams(CFG).init(4);
                MoeLoraModel m = new MoeLoraModel(p, new MoeLoraParams(CFG, config(3, 2, 0.01f), 5));
                int[] tok = GptTest.randomTokens(6, 16, 256), tgt = GptTest.randomTokens(7, 16, 256);
                try (JvmBackend be = new JvmBackend(threads, vector, false)) {
                    Runner r = new Runner(m.graphs(2, 8), be, AdamWSettings.DEFAULT);
                    for (int step = 1; step <= 3; step++) {
                        r.trainStep(tok, tgt, 1e-2f, step);
                    }
                }
                trained[i++] = m.params().slab().params().data().clone();
            }
        }
        // the Vector API paths may round differently from the portable kernels; threads must not
        assertArrayEquals(trained[1], trained[2], "1 vs 2 threads");
        assertTrue(!java.util.Arrays.equals(trained[0], new MoeLoraParams(CFG, config(3, 2, 0.01f), 5).slab().params().data()),
                "training changed nothing");
    }

    @Test
    void checkpointRoundTripsOnItsBackboneOnly(@TempDir Path dir) {
        GptParams p = new GptParams(CFG).init(1);
        MoeLoraParams m = new MoeLoraParams(CFG, new MoeLoraConfig(3, 4, 6f, Set.of("qkv", "fc_proj"), 1, 0.02f), 2);
        randomiseB(m, 3);
        Path file = dir.resolve("moe.safetensors");
        new MoeLoraModel(p, m).save(file, Map.of("modej.method", "moe-lora"));
        MoeLoraModel back = MoeLoraModel.load(file, p);
        assertEquals(m.config(), back.params().config());
        assertEquals(m.slab().layout().slices().stream().map(Slice::name).toList(),
                back.params().slab().layout().slices().stream().map(Slice::name).toList());
        assertArrayEquals(m.slab().params().data(), back.params().slab().params().data());
        int[] t = GptTest.randomTokens(5, 16, 256);
        try (JvmBackend be = new JvmBackend(1, true, false)) {
            assertArrayEquals(probs(new MoeLoraModel(p, m).graphs(2, 8), be, t), probs(back.graphs(2, 8), be, t));
        }
        GptParams other = new GptParams(CFG).init(2);
        CheckpointException e = assertThrows(CheckpointException.class, () -> MoeLoraModel.load(file, other));
        assertTrue(e.getMessage().contains("another backbone"), e.getMessage());
        Path lora = dir.resolve("lora.safetensors");
        new LoraModel("lora", p, new LoraParams(CFG, 2, 4f, LoraSlot.TARGETS, 1)).save(lora, Map.of());
        e = assertThrows(CheckpointException.class, () -> MoeLoraModel.load(lora, p));
        assertTrue(e.getMessage().contains("not a MoE-LoRA checkpoint"), e.getMessage());
    }

    @Test
    void parameterCountMatchesTheSlabAndACountByHand() {
        MoeLoraConfig c = new MoeLoraConfig(3, 2, 4f, LoraSlot.TARGETS, 2, 0f);
        // per layer with C = 16, E = 3, r = 2: router 3·16; experts 3·2·((16+48) + (16+16) + (16+64) + (64+16))
        long perLayer = 3 * 16 + 3 * 2 * ((16 + 48) + (16 + 16) + (16 + 64) + (64 + 16));
        assertEquals(2 * perLayer, MoeLoraParams.parameterCount(CFG, c));
        assertEquals(2 * perLayer, new MoeLoraParams(CFG, c, 1).slab().size());
    }

    @Test
    void badConfigurationsAreRefusedInOneLine() {
        assertThrows(IllegalArgumentException.class, () -> new MoeLoraConfig(0, 8, 16f, LoraSlot.TARGETS, 0, 0f));
        assertThrows(IllegalArgumentException.class, () -> new MoeLoraConfig(4, 0, 16f, LoraSlot.TARGETS, 2, 0f));
        assertThrows(IllegalArgumentException.class, () -> new MoeLoraConfig(4, 8, 0f, LoraSlot.TARGETS, 2, 0f));
        assertThrows(IllegalArgumentException.class, () -> new MoeLoraConfig(4, 8, 16f, Set.of(), 2, 0f));
        assertThrows(IllegalArgumentException.class, () -> new MoeLoraConfig(4, 8, 16f, Set.of("mlp"), 2, 0f));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MoeLoraConfig(4, 8, 16f, LoraSlot.TARGETS, 5, 0f));
        assertEquals("moe-lora top-k must be between 0 (dense) and experts (4), got 5", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new MoeLoraConfig(4, 8, 16f, LoraSlot.TARGETS, 2, -1f));
    }
}
