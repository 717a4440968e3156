package modej.model.lora;

import modej.model.gpt.GptTest;
import modej.model.gpt.ReferenceGpt;
import modej.model.gpt.GptConfig;
import modej.model.gpt.GptGraphs;
import modej.model.gpt.GptParams;
import modej.model.gpt.LmGraphs;
import modej.model.gpt.Runner;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import modej.engine.jvm.JvmBackend;
import modej.model.param.AdamWSettings;
import modej.model.param.Slab;
import modej.model.param.Slice;

class LoraTest {

    static final GptConfig CFG = new GptConfig(256, 8, 2, 2, 16, true);

    static float[] probs(LmGraphs g, JvmBackend be, int[] tokens) {
        System.arraycopy(tokens, 0, g.tokens().data(), 0, tokens.length);
        java.util.Arrays.fill(g.targets().data(), -1);
        be.toDevice(g.tokens(), g.targets());
        g.forward().forEach(graph -> be.compile(graph).run());
        be.toHost(g.probs());
        return g.probs().data().clone();
    }

    static void randomiseB(LoraParams lora, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (Slice s : lora.slab().layout().slices()) {
            if (s.name().endsWith(".B")) {
                for (int i = 0; i < s.size(); i++) {
                    lora.slab().params().data()[s.offset() + i] = (float) (r.nextGaussian() * 0.3);
                }
            }
        }
    }

    @Test
    void zeroBGivesTheBackboneExactly() {
        GptParams p = new GptParams(CFG).init(1);
        LoraParams lora = new LoraParams(CFG, 4, 8f, LoraSlot.TARGETS, 2);
        int[] t = GptTest.randomTokens(3, 16, 256);
        try (JvmBackend be = new JvmBackend(2, true, false)) {
            assertArrayEquals(probs(new GptGraphs(p, 2, 8), be, t), probs(new GptGraphs(p, lora, 2, 8), be, t));
        }
    }

    @Test
    void mergedEqualsUnmergedWithinTolerance() {
        GptParams p = new GptParams(CFG).init(4);
        LoraParams lora = new LoraParams(CFG, 3, 6f, Set.of("qkv", "fc_proj"), 5);
        randomiseB(lora, 6);
        int[] t = GptTest.randomTokens(7, 16, 256);
        try (JvmBackend be = new JvmBackend(2, true, false)) {
            float[] unmerged = probs(new GptGraphs(p, lora, 2, 8), be, t);
            float[] merged = probs(new GptGraphs(lora.mergedInto(p), 2, 8), be, t);
            for (int i = 0; i < merged.length; i++) {
                assertEquals(unmerged[i], merged[i], 1e-6 + 1e-4 * Math.abs(unmerged[i]), "prob " + i);
            }
        }
    }

    @Test
    void gradientsMatchFiniteDifferencesAndTheBackboneStaysFrozen() {
        GptParams p = new GptParams(CFG).init(8);
        List<float[]> before = p.slabs().stream().map(s -> s.params().data().clone()).toList();
        LoraParams lora = new LoraParams(CFG, 2, 4f, LoraSlot.TARGETS, 9);
        randomiseB(lora, 10);
        lora.slab().makeTrainable();
        int B = 2, T = 8;
        int[] tok = GptTest.randomTokens(11, B * T, 256), tgt = GptTest.randomTokens(12, B * T, 256);
        GptGraphs g = new GptGraphs(p, lora, B, T);
        try (JvmBackend be = new JvmBackend(2, true, false)) {
            System.arraycopy(tok, 0, g.tokens().data(), 0, B * T);
            System.arraycopy(tgt, 0, g.targets().data(), 0, B * T);
            g.lossScale().data()[0] = 1f / (B * T);
            g.forward().forEach(graph -> be.compile(graph).run());
            g.backward().forEach(graph -> be.compile(graph).run());
        }
        Slab s = lora.slab();
        float[] w = s.params().data(), grad = s.grads().data();
        SplittableRandom rnd = new SplittableRandom(13);
        for (int k = 0; k < 40; k++) {
            int i = rnd.nextInt(w.length);
            float keep = w[i], plus = keep + 2e-3f, minus = keep - 2e-3f;
            w[i] = plus;
            double lp = ReferenceGpt.loss(p, lora, tok, tgt, B, T);
            w[i] = minus;
            double lm = ReferenceGpt.loss(p, lora, tok, tgt, B, T);
            w[i] = keep;
            double fd = (lp - lm) / ((double) plus - minus);
            if (Math.abs(grad[i] - fd) > 2e-5 + 3e-3 * Math.abs(fd)) {
                fail("lora[" + i + "]: backward " + grad[i] + ", finite difference " + fd);
            }
        }
        try (JvmBackend be = new JvmBackend(2, true, false)) {
            Runner r = new Runner(new GptGraphs(p, lora, B, T), be, AdamWSettings.DEFAULT);
            for (int step = 1; step <= 3; step++) {
                r.trainStep(tok, tgt, 1e-2f, step);
            }
        }
        for (int i = 0; i < before.size(); i++) {
            assertArrayEquals(before.get(i), p.slabs().get(i).params().data(), p.slabs().get(i).name());
        }
    }

    @Test
    void bufferBytesCountWeightsOptimizerStateAndActivations() {
        int b = 2, t = 8;
        long params = CFG.parameterCount(), logits = 4L * b * t * CFG.vocab();
        try (JvmBackend be = new JvmBackend(1, true, false)) {
            GptParams full = new GptParams(CFG).init(1).makeTrainable();
            long eval = new Runner(new GptGraphs(full, b, t), be, null).bufferBytes();
            long train = new Runner(new GptGraphs(full, b, t), be, AdamWSettings.DEFAULT).bufferBytes();
            if (eval < 4 * params + logits) {
                fail("evaluation holds " + eval + " bytes, less than the weights and the softmax: " + (4 * params + logits));
            }
            if (train - eval < 3 * 4 * params) {
                fail("training adds " + (train - eval) + " bytes, less than gradients and two AdamW moments: " + 12 * params);
            }
            GptParams frozen = new GptParams(CFG).init(1);
            LoraParams lora = new LoraParams(CFG, 2, 4f, LoraSlot.TARGETS, 1);
            long adapters = new Runner(new GptGraphs(frozen, lora, b, t), be, AdamWSettings.DEFAULT).bufferBytes();
            if (adapters >= train) {
                fail("LoRA on a frozen backbone holds " + adapters + " bytes, no fewer than full fine-tuning's " + train);
            }
            if (adapters < eval + 4 * 4 * lora.slab().size()) {
                fail("LoRA training holds " + adapters + " bytes, less than evaluation plus the adapters' weights, "
                        + "gradients and moments: " + (eval + 16 * lora.slab().size()));
            }
        }
    }

    @Test
    void parameterCountMatchesTheSlab() {
        LoraParams lora = new LoraParams(CFG, 3, 6f, LoraSlot.TARGETS, 1);
        // by hand, per layer with C = 16: qkv 3·(16+48) + attn_proj 3·(16+16) + fc 3·(16+64) + fc_proj 3·(64+16)
        long perLayer = 3 * (16 + 48) + 3 * (16 + 16) + 3 * (16 + 64) + 3 * (64 + 16);
        assertEquals(2 * perLayer, LoraParams.parameterCount(CFG, 3, LoraSlot.TARGETS));
        assertEquals(2 * perLayer, lora.slab().size());
    }
}
