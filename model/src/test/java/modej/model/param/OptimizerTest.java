package modej.model.param;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import modej.engine.device.Executable;
import modej.engine.graph.Buffer;
import modej.engine.jvm.JvmBackend;

/** A slab's learning-rate scale: AdamW at scale × lr, checked against AdamW written out here. */
class OptimizerTest {

    static Slab slab(String name, long seed) {
        Layout l = new Layout();
        l.add("weight", true, 3, 5);   // (3, 5), decayed
        l.add("bias", false, 3);       // (3)
        Slab s = new Slab(name, l).makeTrainable();
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < s.size(); i++) {
            s.params().data()[i] = (float) r.nextGaussian();
        }
        return s;
    }

    /** One AdamW step as PyTorch defines it, at learning rate lr; elements below {@code decayed} are weight-decayed. */
    static void adamw(float[] p, float[] g, float[] m, float[] v, float lr, int step, AdamWSettings s, int decayed) {
        for (int i = 0; i < p.length; i++) {
            m[i] = s.beta1() * m[i] + (1 - s.beta1()) * g[i];
            v[i] = s.beta2() * v[i] + (1 - s.beta2()) * g[i] * g[i];
            double mhat = m[i] / (1 - Math.pow(s.beta1(), step)), vhat = v[i] / (1 - Math.pow(s.beta2(), step));
            p[i] -= (float) (lr * (mhat / (Math.sqrt(vhat) + s.eps()) + (i < decayed ? s.weightDecay() * p[i] : 0)));
        }
    }

    @Test
    void aScaledSlabTakesAdamWStepsAtItsScaleTimesTheLearningRate() {
        Slab plain = slab("plain", 1), fast = slab("fast", 2).learningRateScale(7.5f);
        AdamWSettings s = new AdamWSettings(0.9f, 0.95f, 1e-8f, 0.1f);
        Optimizer opt = new Optimizer(List.of(plain, fast), s);
        assertEquals(List.of(opt.learningRate(), opt.scheduleBuffers().get(1), opt.step()), opt.scheduleBuffers(), "lr, the scaled lr, step");
        SplittableRandom r = new SplittableRandom(3);
        float lr = 2e-3f;
        float[][] ref = {plain.params().data().clone(), fast.params().data().clone()};
        float[][] m = new float[2][plain.size()], v = new float[2][plain.size()];
        try (JvmBackend be = new JvmBackend(2, true, false)) {
            Executable step = be.compile(opt.graph());
            for (int t = 1; t <= 4; t++) {
                Slab[] both = {plain, fast};
                for (int k = 0; k < 2; k++) {
                    float[] g = both[k].grads().data();
                    for (int i = 0; i < g.length; i++) {
                        g[i] = (float) r.nextGaussian();
                    }
                    int decayed = both[k].layout().get("weight").size();
                    adamw(ref[k], g, m[k], v[k], k == 0 ? lr : 7.5f * lr, t, s, decayed);
                }
                opt.setLearningRate(lr);
                opt.step().data()[0] = t;
                be.toDevice(plain.grads(), fast.grads());
                be.toDevice(opt.scheduleBuffers().toArray(Buffer[]::new));
                step.run();
            }
            be.toHost(plain.params(), fast.params());
        }
        for (int i = 0; i < plain.size(); i++) {
            assertEquals(ref[0][i], plain.params().data()[i], 1e-6f, "plain[" + i + "]");
            assertEquals(ref[1][i], fast.params().data()[i], 1e-6f, "fast[" + i + "]");
        }
        // the scaled slab moved further than it would at lr: the scale is applied, not ignored
        float[] start = slab("fast", 2).params().data();
        assertTrue(distance(start, fast.params().data()) > 5 * distance(slab("plain", 1).params().data(), plain.params().data()));
    }

    @Test
    void withoutScaledSlabsTheOptimizerIsUnchanged() {
        Slab a = slab("a", 1), b = slab("b", 2);
        Optimizer opt = new Optimizer(List.of(a, b), AdamWSettings.DEFAULT);
        assertEquals(List.of(opt.learningRate(), opt.step()), opt.scheduleBuffers());
        opt.setLearningRate(0.25f);
        assertArrayEquals(new float[]{0.25f}, opt.learningRate().data());
    }

    @Test
    void aScaleMustBePositiveAndFinite() {
        Slab a = slab("a", 1);
        assertThrows(IllegalArgumentException.class, () -> a.learningRateScale(0f));
        assertThrows(IllegalArgumentException.class, () -> a.learningRateScale(Float.NaN));
        assertThrows(IllegalArgumentException.class, () -> a.learningRateScale(Float.POSITIVE_INFINITY));
    }

    static double distance(float[] x, float[] y) {
        double d = 0;
        for (int i = 0; i < x.length; i++) {
            d += (x[i] - y[i]) * (double) (x[i] - y[i]);
        }
        return Math.sqrt(d);
    }

    static void assertTrue(boolean b) {
        org.junit.jupiter.api.Assertions.assertTrue(b);
    }
}
