package modej.model.mode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import modej.engine.device.Executable;
import modej.engine.jvm.JvmBackend;
import modej.model.gpt.GptConfig;
import modej.model.gpt.GptGraphs;
import modej.model.gpt.GptParams;
import modej.model.gpt.LmGraphs;
import modej.model.gpt.Runner;
import modej.model.param.AdamWSettings;
import modej.model.param.Slab;
import modej.model.param.Slice;

class ModeTest {

    static final GptConfig BACKBONE = new GptConfig(256, 8, 4, 2, 16, true);

    static int[] tokens(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextInt(256);
        }
        return a;
    }

    /** Runs the forward graphs and returns a copy of the softmax output. */
    static float[] probs(LmGraphs g, JvmBackend be, int[] tokens) {
        System.arraycopy(tokens, 0, g.tokens().data(), 0, tokens.length);
        java.util.Arrays.fill(g.targets().data(), -1);
        be.toDevice(g.tokens(), g.targets());
        for (var graph : g.forward()) {
            be.compile(graph).run();
        }
        be.toHost(g.probs());
        return g.probs().data().clone();
    }

    /** Sets block b's gate to put all weight on source {@code on}: zero weights, bias +100 there and −100 elsewhere. */
    static void forceGate(ModeParams m, int on) {
        Slab g = m.gate();
        for (Slice s : g.layout().slices()) {
            for (int i = 0; i < s.size(); i++) {
                g.params().data()[s.offset() + i] = s.name().endsWith(".bias") ? (i == on ? 100f : -100f) : 0f;
            }
        }
    }

    @Test
    void gateForcedToBackboneGivesTheBackboneExactly() {
        GptParams backbone = new GptParams(BACKBONE).init(1);
        ModeParams m = new ModeParams(backbone, new ModeConfig(2, 1, List.of("code", "math"), GateConfig.DEFAULT, "random"), 2);
        forceGate(m, 0);
        int[] t = tokens(3, 16);
        try (JvmBackend be = new JvmBackend(2, true, false)) {
            assertArrayEquals(probs(new GptGraphs(backbone, 2, 8), be, t), probs(new ModeGraphs(m, 2, 8), be, t));
        }
    }

    @Test
    void fullCopyExpertWithAllWeightGivesTheBackboneExactly() {
        GptParams backbone = new GptParams(BACKBONE).init(4);
        ModeParams m = new ModeParams(backbone, new ModeConfig(2, 2, List.of("code"), GateConfig.DEFAULT, "copy:first"), 5);
        forceGate(m, 1);
        int[] t = tokens(6, 16);
        try (JvmBackend be = new JvmBackend(2, true, false)) {
            assertArrayEquals(probs(new GptGraphs(backbone, 2, 8), be, t), probs(new ModeGraphs(m, 2, 8), be, t));
        }
    }

    /**
     * Expert, gate and (through them) top-k, sequence-level, temperature, balance and normalised-input
     * gradients against double finite differences.
     */
    @ParameterizedTest(name = "topK={0} seq={1} temperature={2} balance={3} norm={4}")
    @CsvSource({"0,false,1.0,0.0,false", "2,false,0.7,0.0,false", "0,true,1.3,0.0,false", "0,false,1.0,0.5,false",
            "1,false,1.0,0.0,false", "2,true,0.8,0.3,false", "0,false,1.0,0.0,true", "0,true,1.2,0.0,true",
            "2,false,0.9,0.3,true"})
    void gradientsMatchFiniteDifferences(int topK, boolean seq, float temperature, float balance, boolean norm) {
        GptParams backbone = new GptParams(BACKBONE).init(7);
        ModeConfig cfg = new ModeConfig(2, 1, List.of("a", "b"), new GateConfig(topK, temperature, seq, balance, norm), "random");
        ModeParams m = new ModeParams(backbone, cfg, 8);
        m.experts().forEach(Slab::makeTrainable);
        m.gate().makeTrainable();
        SplittableRandom rnd = new SplittableRandom(9);
        for (Slab s : m.slabs()) {
            float[] w = s.params().data();
            for (int i = 0; i < w.length; i++) {
                w[i] += (float) (rnd.nextGaussian() * (s == m.gate() ? 1.0 : 0.2));
            }
        }
        int B = 2, T = 8;
        int[] tok = tokens(10, B * T), tgt = tokens(11, B * T);
        ModeGraphs g = new ModeGraphs(m, B, T);
        try (JvmBackend be = new JvmBackend(2, true, false)) {
            System.arraycopy(tok, 0, g.tokens().data(), 0, B * T);
            System.arraycopy(tgt, 0, g.targets().data(), 0, B * T);
            g.lossScale().data()[0] = 1f / (B * T);
            for (var graph : g.forward()) {
                be.compile(graph).run();
            }
            for (var graph : g.backward()) {
                be.compile(graph).run();
            }
        }
        for (Slab s : List.of(m.expert("a"), m.expert("b"), m.gate())) {
            float[] w = s.params().data(), grad = s.grads().data();
            for (int k = 0; k < 16; k++) {
                int i = rnd.nextInt(w.length);
                float keep = w[i], plus = keep + 1e-2f, minus = keep - 1e-2f;
                w[i] = plus;
                double lp = ReferenceMode.loss(m, tok, tgt, B, T);
                w[i] = minus;
                double lm = ReferenceMode.loss(m, tok, tgt, B, T);
                w[i] = keep;
                double fd = (lp - lm) / ((double) plus - minus);
                if (Math.abs(grad[i] - fd) > 2e-5 + 3e-3 * Math.abs(fd)) {
                    fail(s.name() + "[" + i + "] (" + s.layout().slices().stream().filter(x -> x.offset() <= i && i < x.end())
                            .findFirst().orElseThrow().name() + "): backward " + grad[i] + ", finite difference " + fd);
                }
            }
        }
    }

    @Test
    void trainingLeavesTheBackboneBitIdentical() {
        GptParams backbone = new GptParams(BACKBONE).init(12);
        List<float[]> before = backbone.slabs().stream().map(s -> s.params().data().clone()).toList();
        ModeParams m = new ModeParams(backbone, new ModeConfig(2, 1, List.of("code"), new GateConfig(1, 1f, false, 0.01f), "copy:last"), 13);
        m.experts().forEach(Slab::makeTrainable);
        m.gate().makeTrainable();
        try (JvmBackend be = new JvmBackend(2, true, false)) {
            Runner r = new Runner(new ModeGraphs(m, 2, 8), be, AdamWSettings.DEFAULT);
            for (int step = 1; step <= 5; step++) {
                r.trainStep(tokens(20 + step, 16), tokens(40 + step, 16), 1e-2f, step);
            }
        }
        for (int i = 0; i < before.size(); i++) {
            assertArrayEquals(before.get(i), backbone.slabs().get(i).params().data(), backbone.slabs().get(i).name());
        }
        assertTrue(backbone.slabs().stream().noneMatch(Slab::trainable));
    }
}
