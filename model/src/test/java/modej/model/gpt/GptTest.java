package modej.model.gpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import modej.engine.device.Executable;
import modej.engine.jvm.JvmBackend;
import modej.model.param.AdamWSettings;
import modej.model.param.Slab;

public class GptTest {

    static final GptConfig SMALL = new GptConfig(256, 16, 2, 2, 32, true);

    public static int[] randomTokens(long seed, int n, int vocab) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextInt(vocab);
        }
        return a;
    }

    @Test
    void initialLossIsAboutLnVocab() {
        GptParams p = new GptParams(SMALL).init(1);
        try (JvmBackend be = new JvmBackend(2, true, false)) {
            Runner r = Runner.of(p, 4, 16, be, null);
            double loss = r.evaluate(randomTokens(2, 64, 256), randomTokens(3, 64, 256)).loss();
            assertEquals(Math.log(256), loss, 0.05, "initial loss");
        }
    }

    @ParameterizedTest(name = "vector={0}")
    @ValueSource(booleans = {true, false})
    void forwardMatchesDoublePrecisionReference(boolean vector) {
        GptParams p = new GptParams(new GptConfig(256, 16, 2, 2, 32, false)).init(4);
        int[] tokens = randomTokens(5, 32, 256), targets = randomTokens(6, 32, 256);
        targets[3] = -1; // ignored rows take no part in the mean
        try (JvmBackend be = new JvmBackend(2, vector, false)) {
            double loss = Runner.of(p, 2, 16, be, null).evaluate(tokens, targets).loss();
            assertEquals(ReferenceGpt.loss(p, tokens, targets, 2, 16), loss, 1e-5);
        }
    }

    /** Whole-model gradients on sampled parameters of every slab against double-precision finite differences. */
    @ParameterizedTest(name = "vector={0}, tied={1}")
    @org.junit.jupiter.params.provider.CsvSource({"true,true", "false,true", "true,false"})
    void gradientsMatchFiniteDifferences(boolean vector, boolean tied) {
        GptConfig cfg = new GptConfig(256, 8, 2, 2, 16, tied);
        GptParams p = new GptParams(cfg).init(7).makeTrainable();
        // larger weights than GPT-2's init so every path carries gradient well above float noise
        SplittableRandom rnd = new SplittableRandom(8);
        for (Slab s : p.slabs()) {
            float[] w = s.params().data();
            for (int i = 0; i < w.length; i++) {
                w[i] += (float) (rnd.nextGaussian() * 0.2);
            }
        }
        int B = 2, T = 8;
        int[] tokens = randomTokens(9, B * T, 256), targets = randomTokens(10, B * T, 256);
        targets[5] = -1;
        GptGraphs g = new GptGraphs(p, B, T);
        try (JvmBackend be = new JvmBackend(2, vector, false)) {
            System.arraycopy(tokens, 0, g.tokens().data(), 0, B * T);
            System.arraycopy(targets, 0, g.targets().data(), 0, B * T);
            g.lossScale().data()[0] = 1f / (B * T - 1);
            Executable fwd = be.compile(g.forward().get(0)), bwd = be.compile(g.backward().get(0));
            fwd.run();
            bwd.run();
        }
        int checked = 0;
        for (Slab s : p.slabs()) {
            float[] w = s.params().data(), grad = s.grads().data();
            for (int k = 0; k < 12; k++) {
                int i = rnd.nextInt(w.length);
                float keep = w[i];
                float plus = keep + 1e-2f, minus = keep - 1e-2f;
                w[i] = plus;
                double lp = ReferenceGpt.loss(p, tokens, targets, B, T);
                w[i] = minus;
                double lm = ReferenceGpt.loss(p, tokens, targets, B, T);
                w[i] = keep;
                double fd = (lp - lm) / ((double) plus - minus);
                if (Math.abs(grad[i] - fd) > 1e-5 + 2e-3 * Math.abs(fd)) {
                    fail(s.name() + "[" + i + "]: backward " + grad[i] + ", finite difference " + fd);
                }
                checked++;
            }
        }
        assertTrue(checked >= 12 * 4);
    }

    /** Exactly 1,024 bytes of plain English (written for this test). */
    static final String KILOBYTE = ("The river ran past the mill and under the old stone bridge, where the children of the "
            + "village came each morning to watch the water. In spring it was loud and brown with melted snow; in "
            + "summer it was clear enough to count the pebbles on its bed. The miller, a patient man with flour in his "
            + "beard, kept a small boat tied to the bank and a lantern that he lit when the fog came down. Travellers "
            + "who crossed the bridge at dusk would see its light and know that the road to the town was close. One "
            + "autumn a storm broke the boat loose and carried it far downstream, past the farms and the church, until "
            + "it came to rest in the reeds beside a meadow. A shepherd found it there and rowed it back, a journey of "
            + "two days against the current, and the miller gave him a sack of flour for each day. After that the "
            + "shepherd stopped at the mill whenever he brought his sheep to market, and the two men would sit by the "
            + "water and talk about the weather, the price of wool, and the strange ways of rivers. Years later, when "
            + "the bridge was rebuilt, the new stones still carried their names, cut deep.").substring(0, 1024);

    @Test
    void memorisesOneKilobyteOfText() {
        byte[] text = KILOBYTE.getBytes(StandardCharsets.UTF_8);
        assertEquals(1024, text.length, "test text length");
        // the whole text as one batch of 8 windows of 128 bytes, the target of the last byte wrapping to the first
        GptConfig cfg = new GptConfig(256, 128, 2, 4, 64, true);
        GptParams p = new GptParams(cfg).init(12).makeTrainable();
        int B = 8, T = 128;
        int[] in = new int[B * T], tg = new int[B * T];
        for (int i = 0; i < B * T; i++) {
            in[i] = text[i] & 0xff;
            tg[i] = text[(i + 1) % text.length] & 0xff;
        }
        double loss = Double.NaN;
        try (JvmBackend be = new JvmBackend(2, true, false)) {
            Runner runner = Runner.of(p, B, T, be, new AdamWSettings(0.9f, 0.95f, 1e-8f, 0f));
            for (int step = 1; step <= 400 && !(loss < 0.05); step++) {
                loss = runner.trainStep(in, tg, 3e-3f, step).loss();
            }
        }
        assertTrue(loss < 0.1, "loss after training on 1 KB: " + loss);
    }

    @Test
    void aTrainingStepAllocatesNothingOnTheCallingThread() {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        GptParams p = new GptParams(SMALL).init(14).makeTrainable();
        int[] in = randomTokens(15, 64, 256), tg = randomTokens(16, 64, 256);
        // portable kernels: Vector API code allocates until C2 has compiled it, which no test can wait for
        try (JvmBackend be = new JvmBackend(2, false, false)) {
            Runner r = Runner.of(p, 4, 16, be, AdamWSettings.DEFAULT);
            for (int s = 1; s <= 20; s++) {
                r.trainStep(in, tg, 1e-3f, s);
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int s = 21; s <= 30; s++) {
                r.trainStep(in, tg, 1e-3f, s);
            }
            long perStep = (threads.getCurrentThreadAllocatedBytes() - before) / 10;
            assertTrue(perStep < 64, "bytes allocated per training step: " + perStep);
        }
    }

    @Test
    void twentyStepsBitIdenticalWithOneAndTwoThreads() {
        float[][] a = train(1), b = train(2);
        assertArrayEquals(a[0], b[0], "losses");
        assertArrayEquals(a[1], b[1], "layer 1 weights");
        assertArrayEquals(a[2], b[2], "embeddings");
    }

    private static float[][] train(int threads) {
        GptConfig cfg = new GptConfig(256, 32, 2, 4, 48, true);
        GptParams p = new GptParams(cfg).init(13).makeTrainable();
        float[] losses = new float[20];
        try (JvmBackend be = new JvmBackend(threads, true, false)) {
            Runner runner = Runner.of(p, 3, 32, be, AdamWSettings.DEFAULT);
            for (int s = 0; s < 20; s++) {
                losses[s] = (float) runner.trainStep(randomTokens(100 + s, 96, 256), randomTokens(200 + s, 96, 256), 1e-3f, s + 1).loss();
            }
        }
        return new float[][]{losses, p.layer(1).params().data(), p.embeddings().params().data()};
    }
}
