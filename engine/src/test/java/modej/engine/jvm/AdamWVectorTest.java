package modej.engine.jvm;

import static modej.engine.jvm.MatmulVectorTest.runSplit;
import static modej.engine.jvm.MatmulVectorTest.splits;
import static modej.engine.kernel.GradCheck.randomFloats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import modej.engine.kernel.AdamW;

/**
 * {@link AdamWVector} against the portable {@link AdamW}: equal bit for bit (the same unfused
 * operations in the same order per element), for every split of the range, and nothing outside
 * {@code [base, base + n)} touched.
 */
class AdamWVectorTest {

    static final float BETA1 = 0.9f, BETA2 = 0.95f, EPS = 1e-8f, WD = 0.1f;

    @Test
    void updateIsBitIdenticalToPortableForEverySplit() {
        for (int n : new int[] {1, 7, 8, 9, 16, 1003}) {
            int base = 5, len = base + n + 3;
            SplittableRandom rnd = new SplittableRandom(n);
            float[] params0 = randomFloats(rnd, len, 1);
            float[] m0 = randomFloats(rnd, len, 0.1);
            float[] v0 = randomFloats(rnd, len, 0.01);
            for (int i = 0; i < len; i++) {
                v0[i] = Math.abs(v0[i]);
            }
            v0[base] = 0f;   // a first step: sqrt(0) + eps
            float[] lr = {3e-3f};
            for (int[] cuts : splits(n)) {
                float[] wantP = params0.clone(), wantM = m0.clone(), wantV = v0.clone();
                float[] p = params0.clone(), m = m0.clone(), v = v0.clone();
                SplittableRandom grads = new SplittableRandom(99);
                for (int s = 1; s <= 4; s++) {
                    float[] g = randomFloats(grads, len, s);
                    g[base + n / 2] = 0f;
                    int[] step = {s};
                    AdamW.update(wantP, g, wantM, wantV, lr, step, BETA1, BETA2, EPS, WD, base, 0, n);
                    runSplit(cuts, (o, c) -> AdamWVector.update(p, g, m, v, lr, step, BETA1, BETA2, EPS, WD, base, o, c));
                }
                String what = "n=" + n + " split " + java.util.Arrays.toString(cuts);
                assertArrayEquals(wantP, p, "params " + what);
                assertArrayEquals(wantM, m, "m " + what);
                assertArrayEquals(wantV, v, "v " + what);
                for (int i = 0; i < len; i++) {
                    if (i < base || i >= base + n) {
                        assertEquals(params0[i], p[i], "params outside the range at " + i);
                    }
                }
            }
        }
    }

    @Test
    void zeroGradZeroesOnlyItsRange() {
        for (int n : new int[] {1, 9, 1003}) {
            int base = 3, len = base + n + 2;
            float[] g0 = randomFloats(new SplittableRandom(n), len, 1);
            for (int[] cuts : splits(n)) {
                float[] want = g0.clone(), g = g0.clone();
                AdamW.zeroGrad(want, base, 0, n);
                runSplit(cuts, (o, c) -> AdamWVector.zeroGrad(g, base, o, c));
                assertArrayEquals(want, g, "n=" + n);
            }
        }
    }
}
