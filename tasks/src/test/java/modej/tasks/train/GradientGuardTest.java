package modej.tasks.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import modej.engine.jvm.JvmBackend;
import modej.model.gpt.GptConfig;
import modej.model.gpt.GptParams;
import modej.model.gpt.Runner;
import modej.model.param.AdamWSettings;
import modej.model.param.Slab;

/**
 * Gradient clipping (global norm, fixed summation order), the runner's refusal to apply a
 * non-finite step, and the memory plan's counts against what the graphs really allocate.
 */
class GradientGuardTest {

    static final GptConfig CONFIG = new GptConfig(256, 16, 2, 2, 32, true);
    static final int B = 2, T = 16;

    private static int[][] batch(int step) {
        int[] in = new int[B * T], tg = new int[B * T];
        for (int i = 0; i < in.length; i++) {
            in[i] = 'a' + (i * 7 + step * 3) % 11;
            tg[i] = 'a' + (i * 5 + step) % 11;
        }
        return new int[][]{in, tg};
    }

    /** Trains 5 steps with {@code clip} on {@code threads} workers; returns every slab's weights, concatenated. */
    private static float[] train(float clip, int threads) {
        GptParams p = new GptParams(CONFIG).init(1).makeTrainable();
        try (JvmBackend be = new JvmBackend(threads, true, false)) {
            Runner r = Runner.of(p, B, T, be, AdamWSettings.DEFAULT).clipGradients(clip);
            for (int s = 1; s <= 5; s++) {
                int[][] d = batch(s);
                r.trainStep(d[0], d[1], 1e-2f, s);
            }
            r.slabsToHost();
        }
        return concat(p.slabs());
    }

    private static float[] concat(List<Slab> slabs) {
        int n = slabs.stream().mapToInt(Slab::size).sum(), at = 0;
        float[] all = new float[n];
        for (Slab s : slabs) {
            System.arraycopy(s.params().data(), 0, all, at, s.size());
            at += s.size();
        }
        return all;
    }

    @Test
    void clippingScalesTheGlobalNormToTheLimit() {
        GptParams p = new GptParams(CONFIG).init(1).makeTrainable();
        float clip = 0.05f;
        try (JvmBackend be = new JvmBackend(2, true, false)) {
            Runner r = Runner.of(p, B, T, be, AdamWSettings.DEFAULT).clipGradients(clip);
            int[][] d = batch(1);
            r.trainStep(d[0], d[1], 1e-3f, 1);
            assertTrue(r.lastGradNorm() > 10 * clip, "the test needs a norm above the limit: " + r.lastGradNorm());
            // the gradients the update used, summed independently (last slab first, last element first)
            double sum = 0;
            List<Slab> slabs = p.slabs();
            slabs.forEach(s -> be.toHost(s.grads()));
            for (int k = slabs.size() - 1; k >= 0; k--) {
                float[] g = slabs.get(k).grads().data();
                for (int i = g.length - 1; i >= 0; i--) {
                    sum += (double) g[i] * g[i];
                }
            }
            assertEquals(clip, Math.sqrt(sum), 1e-5 * clip);
        }
    }

    @Test
    void clippingIsTheSameForAnyThreadCountAndChangesTraining() {
        float[] one = train(0.05f, 1), two = train(0.05f, 2), off = train(0f, 2);
        assertArrayEquals(one, two, "clipped training differs between 1 and 2 threads");
        assertFalse(java.util.Arrays.equals(one, off), "clipping at 0.05 changed nothing");
        assertArrayEquals(off, train(0f, 1));
    }

    @Test
    void aNonFiniteStepChangesNoWeightOrMoment() {
        GptParams p = new GptParams(CONFIG).init(1).makeTrainable();
        try (JvmBackend be = new JvmBackend(2, true, false)) {
            Runner r = Runner.of(p, B, T, be, AdamWSettings.DEFAULT);
            int[][] d = batch(1);
            r.trainStep(d[0], d[1], 1e-3f, 1);
            r.slabsToHost();
            Slab layer = p.slabs().get(1);
            layer.params().data()[3] = Float.NaN;
            be.toDevice(layer.params());
            float[] before = concat(p.slabs());
            float[] m = layer.m().data().clone();
            Runner.Result res = r.trainStep(batch(2)[0], batch(2)[1], 1e-3f, 2);
            assertTrue(Double.isNaN(res.loss()) || Double.isNaN(r.lastGradNorm()));
            r.slabsToHost();
            float[] after = concat(p.slabs());
            for (int i = 0; i < before.length; i++) {
                assertEquals(Float.floatToRawIntBits(before[i]), Float.floatToRawIntBits(after[i]), "weight " + i + " changed");
            }
            assertArrayEquals(m, layer.m().data());
            assertFalse(r.slabsFinite());
        }
    }

    @Test
    void theMemoryPlanCountsWhatTheTrainingGraphsHold() {
        for (GptConfig c : List.of(CONFIG, new GptConfig(256, 32, 3, 4, 64, true))) {
            GptParams p = new GptParams(c).init(1).makeTrainable();
            try (JvmBackend be = new JvmBackend(1, true, false)) {
                assertEquals(Runner.of(p, 3, 12, be, AdamWSettings.DEFAULT).bufferBytes(),
                        4 * MemoryPlan.gptTrainingFloats(c, 3, 12), c.toString());
            }
        }
    }

    @Test
    void aModelThatCannotFitIsRefusedAtOnce() {
        GptConfig huge = new GptConfig(256, 128, 48, 32, 4096, true);
        long t0 = System.nanoTime();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MemoryPlan.require(huge, 8, 128, MemoryPlan.pretrainBytes(huge, 8, 128), "--batch or the model"));
        assertTrue((System.nanoTime() - t0) / 1e9 < 1, "took too long");
        assertTrue(e.getMessage().contains("MODEJ_JAVA_OPTS=-Xmx") && e.getMessage().contains("GiB of graph buffers"),
                e.getMessage());
        // about 16 bytes per parameter for weights, gradients and moments
        assertTrue(MemoryPlan.pretrainBytes(huge, 8, 128) > 16 * huge.parameterCount());
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                () -> MemoryPlan.require(CONFIG, 1 << 16, 4096, 0, "--batch"));
        assertTrue(big.getMessage().contains("more than a Java array holds"), big.getMessage());
    }
}
