package modej.model.btx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import modej.engine.graph.Graph;
import modej.engine.graph.Task;
import modej.engine.jvm.JvmBackend;
import modej.model.checkpoint.CheckpointException;
import modej.model.gpt.GptConfig;
import modej.model.gpt.GptGraphs;
import modej.model.gpt.GptParams;
import modej.model.gpt.LmGraphs;
import modej.model.gpt.Runner;
import modej.model.param.AdamWSettings;
import modej.model.param.Slab;

/**
 * BTX: gradients of experts and router against finite differences of an independent double
 * reference; the backbone exactly at initialisation; skipping unrouted tokens equal to running
 * every expert with the unchosen weighted 0; checkpoints; bit-identical training for any thread count.
 */
class BtxTest {

    static final GptConfig CFG = new GptConfig(256, 8, 4, 2, 16, true);
    static final int B = 2, T = 8;

    static int[] tokens(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextInt(256);
        }
        return a;
    }

    static void perturb(Slab s, SplittableRandom rnd, double std) {
        float[] w = s.params().data();
        for (int i = 0; i < w.length; i++) {
            w[i] += (float) (rnd.nextGaussian() * std);
        }
    }

    /** A stage-2 model over domains a, b (or stage 1 of a), experts and router perturbed so that they differ. */
    static BtxParams mixed(GptParams backbone, int topK, float balance) {
        BtxParams p = new BtxParams(backbone, new BtxConfig(List.of("a", "b"), true, topK, balance), 8);
        SplittableRandom rnd = new SplittableRandom(9);
        for (Slab s : p.ownSlabs()) {
            perturb(s, rnd, s == p.router() ? 1.0 : 0.2);
        }
        return p;
    }

    /** Runs forward (and backward when {@code train}); returns probs, losses, and the own slabs' gradients. */
    static List<float[]> run(LmGraphs g, JvmBackend be, int[] tok, int[] tgt, boolean train, List<Slab> slabs) {
        System.arraycopy(tok, 0, g.tokens().data(), 0, tok.length);
        System.arraycopy(tgt, 0, g.targets().data(), 0, tgt.length);
        g.lossScale().data()[0] = 1f / tok.length;
        be.toDevice(g.tokens(), g.targets(), g.lossScale());
        for (Graph graph : g.forward()) {
            be.compile(graph).run();
        }
        if (train) {
            for (Graph graph : g.backward()) {
                be.compile(graph).run();
            }
        }
        be.toHost(g.probs(), g.losses());
        List<float[]> out = new ArrayList<>(List.of(g.probs().data().clone(), g.losses().data().clone()));
        for (Slab s : slabs) {
            if (train) {
                be.toHost(s.grads());
                out.add(s.grads().data().clone());
            }
        }
        return out;
    }

    @ParameterizedTest(name = "mixed={0} topK={1} balance={2}")
    @CsvSource({"false,0,0", "true,0,0", "true,1,0", "true,2,0.3", "true,3,0.1"})
    void gradientsMatchFiniteDifferences(boolean mixed, int topK, float balance) {
        GptParams backbone = new GptParams(CFG).init(7);
        BtxParams m;
        if (mixed) {
            m = mixed(backbone, topK, balance);
        } else {
            m = new BtxParams(backbone, BtxConfig.branch("a"), 8);
            perturb(m.expert("a"), new SplittableRandom(9), 0.2);
        }
        new BtxModel("btx", m, true, true);
        int[] tok = tokens(10, B * T), tgt = tokens(11, B * T);
        try (JvmBackend be = new JvmBackend(2, true, false)) {
            run(new BtxGraphs(m, B, T), be, tok, tgt, true, m.ownSlabs());
        }
        SplittableRandom rnd = new SplittableRandom(12);
        for (Slab s : m.ownSlabs()) {
            float[] w = s.params().data(), grad = s.grads().data();
            for (int k = 0; k < 16; k++) {
                int i = rnd.nextInt(w.length);
                float keep = w[i], plus = keep + 2e-3f, minus = keep - 2e-3f;
                w[i] = plus;
                double lp = ReferenceBtx.loss(m, tok, tgt, B, T);
                w[i] = minus;
                double lm = ReferenceBtx.loss(m, tok, tgt, B, T);
                w[i] = keep;
                double fd = (lp - lm) / ((double) plus - minus);
                if (Math.abs(grad[i] - fd) > 2e-5 + 3e-3 * Math.abs(fd)) {
                    fail(s.name() + "[" + i + "]: backward " + grad[i] + ", finite difference " + fd);
                }
            }
        }
        // the forward's mean loss agrees with the reference's (which adds the balance loss the graphs do not report)
        if (balance == 0) {
            try (JvmBackend be = new JvmBackend(2, false, false)) {
                List<float[]> r = run(new BtxGraphs(m, B, T), be, tok, tgt, false, List.of());
                double mean = 0;
                for (float v : r.get(1)) {
                    mean += v / (B * T);
                }
                assertEquals(ReferenceBtx.loss(m, tok, tgt, B, T), mean, 1e-4);
            }
        }
    }

    @Test
    void stage1AtInitialisationIsTheBackboneExactlyAndStage2WithinRounding() {
        GptParams backbone = new GptParams(CFG).init(3);
        int[] tok = tokens(4, B * T), tgt = tokens(5, B * T);
        for (boolean vector : new boolean[]{false, true}) {
            try (JvmBackend be = new JvmBackend(2, vector, false)) {
                float[] reference = run(new GptGraphs(backbone, B, T), be, tok, tgt, false, List.of()).get(0);
                BtxParams branch = new BtxParams(backbone, BtxConfig.branch("code"), 1);
                assertArrayEquals(reference, run(new BtxGraphs(branch, B, T), be, tok, tgt, false, List.of()).get(0),
                        "stage 1 with the copied MLPs");
                for (int topK : new int[]{0, 1, 2}) {
                    // every expert the backbone's MLP, the router random and far from uniform
                    BtxParams mix = new BtxParams(backbone, new BtxConfig(List.of("code", "math"), true, topK, 0.01f), 2);
                    perturb(mix.router(), new SplittableRandom(6), 1.0);
                    float[] got = run(new BtxGraphs(mix, B, T), be, tok, tgt, false, List.of()).get(0);
                    for (int i = 0; i < got.length; i++) {
                        assertEquals(reference[i], got[i], 1e-6 + 1e-5 * reference[i], "stage 2 top-" + topK + " at " + i);
                    }
                }
            }
        }
    }

    @Test
    void skippingUnroutedTokensEqualsDenseExpertsWeightedZero() {
        int[] tok = tokens(20, B * T), tgt = tokens(21, B * T);
        for (int topK : new int[]{1, 2}) {
            BtxParams m = mixed(new GptParams(CFG).init(4), topK, 0.1f);
            new BtxModel("btx", m, true, true);
            BtxGraphs skipping = new BtxGraphs(m, B, T, true), dense = new BtxGraphs(m, B, T, false);
            assertTrue(kernels(skipping).contains("RoutedMatmul.forward") && !kernels(dense).contains("RoutedMatmul.forward"));
            for (boolean vector : new boolean[]{false, true}) {
                try (JvmBackend be = new JvmBackend(2, vector, false)) {
                    List<float[]> a = run(skipping, be, tok, tgt, true, m.ownSlabs());
                    List<float[]> b = run(dense, be, tok, tgt, true, m.ownSlabs());
                    for (int i = 0; i < a.size(); i++) {
                        assertArrayEquals(b.get(i), a.get(i), "top-" + topK + (vector ? " vector" : " portable") + ", output " + i);
                    }
                    // the unrouted rows were skipped: some expert outputs are exactly zero where dense ones are not
                    be.toHost(skipping.routerWeights(0));
                    float[] w = skipping.routerWeights(0).data();
                    int zeros = 0;
                    for (float v : w) {
                        zeros += v == 0f ? 1 : 0;
                    }
                    assertEquals(B * T * (3 - topK), zeros, "each token leaves out 3 - k sources");
                }
            }
        }
    }

    static List<String> kernels(LmGraphs g) {
        List<String> k = new ArrayList<>();
        for (Graph graph : g.forward()) {
            for (Task t : graph.tasks()) {
                k.add(t.kernelName());
            }
        }
        return k;
    }

    @Test
    void checkpointRoundTripAndTheBackboneFingerprint(@TempDir Path dir) {
        GptParams backbone = new GptParams(CFG).init(3);
        BtxParams m = mixed(backbone, 2, 0.05f);
        Path file = dir.resolve("btx.safetensors");
        new BtxModel("btx-mix", m, true, true).save(file, Map.of("modej.method", "btx-mix"));
        BtxModel loaded = BtxModel.load(file, backbone, "btx");
        assertEquals(m.config(), loaded.params().config());
        for (int i = 0; i < m.ownSlabs().size(); i++) {
            assertEquals(m.ownSlabs().get(i).name(), loaded.params().ownSlabs().get(i).name());
            assertArrayEquals(m.ownSlabs().get(i).params().data(), loaded.params().ownSlabs().get(i).params().data());
        }
        assertTrue(loaded.slabs().stream().noneMatch(Slab::trainable));
        int[] tok = tokens(30, B * T);
        try (JvmBackend be = new JvmBackend(2, true, false)) {
            assertArrayEquals(run(new BtxGraphs(m, B, T), be, tok, tok, false, List.of()).get(0),
                    run(loaded.graphs(B, T), be, tok, tok, false, List.of()).get(0));
        }
        GptParams other = new GptParams(CFG).init(4);
        assertThrows(CheckpointException.class, () -> BtxModel.load(file, other, "btx"));
        assertThrows(CheckpointException.class, () -> BtxModel.loadBranch(file, "a", backbone), "a mixed model is no branch");
        Path branch = dir.resolve("branch.safetensors");
        BtxParams b = new BtxParams(backbone, BtxConfig.branch("code"), 1);
        new BtxModel("btx-branch", b, true, false).save(branch, Map.of());
        assertEquals(b.expert("code").size(), BtxModel.loadBranch(branch, "code", backbone).size());
        assertThrows(CheckpointException.class, () -> BtxModel.loadBranch(branch, "math", backbone));
    }

    @Test
    void trainingIsBitIdenticalForAnyThreadCountAndLeavesTheBackbone() {
        List<List<float[]>> results = new ArrayList<>();
        for (int threads : new int[]{1, 3}) {
            GptParams backbone = new GptParams(CFG).init(12);
            List<float[]> before = backbone.slabs().stream().map(s -> s.params().data().clone()).toList();
            BtxParams m = mixed(backbone, 2, 0.01f);
            new BtxModel("btx-mix", m, true, true);
            try (JvmBackend be = new JvmBackend(threads, true, false)) {
                Runner r = new Runner(new BtxGraphs(m, B, T), be, AdamWSettings.DEFAULT);
                for (int step = 1; step <= 3; step++) {
                    r.trainStep(tokens(20 + step, B * T), tokens(40 + step, B * T), 1e-2f, step);
                }
            }
            for (int i = 0; i < before.size(); i++) {
                assertArrayEquals(before.get(i), backbone.slabs().get(i).params().data(), "backbone untouched");
            }
            results.add(m.ownSlabs().stream().map(s -> s.params().data().clone()).toList());
        }
        for (int i = 0; i < results.get(0).size(); i++) {
            assertArrayEquals(results.get(0).get(i), results.get(1).get(i), "slab " + i + ": 1 vs 3 threads");
        }
        GptParams fresh = new GptParams(CFG).init(12);
        assertFalse(java.util.Arrays.equals(mixed(fresh, 2, 0.01f).router().params().data(), results.get(0).get(3)),
                "training changed the router");
    }

    @Test
    void configRefusesWhatCannotWork() {
        assertThrows(IllegalArgumentException.class, () -> new BtxConfig(List.of("a", "a"), true, 2, 0));
        assertThrows(IllegalArgumentException.class, () -> new BtxConfig(List.of("backbone"), true, 2, 0));
        assertThrows(IllegalArgumentException.class, () -> new BtxConfig(List.of("a", "b"), true, 4, 0));
        assertThrows(IllegalArgumentException.class, () -> new BtxConfig(List.of("a", "b"), false, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new BtxConfig(List.of("a"), true, 1, -1f));
        assertEquals(List.of("backbone", "a", "b"), new BtxConfig(List.of("a", "b"), true, 2, 0).sourceNames());
        assertEquals(2, new BtxConfig(List.of("a", "b"), true, 2, 0).activeSources());
        assertEquals(3, new BtxConfig(List.of("a", "b"), true, 0, 0).activeSources());
        assertNotEquals(new BtxConfig(List.of("a", "b"), true, 1, 0), new BtxConfig(List.of("a", "b"), true, 2, 0));
    }
}
