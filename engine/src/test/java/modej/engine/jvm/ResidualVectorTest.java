package modej.engine.jvm;

import static modej.engine.jvm.MatmulVectorTest.runSplit;
import static modej.engine.jvm.MatmulVectorTest.splits;
import static modej.engine.kernel.GradCheck.randomFloats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import modej.engine.kernel.Residual;

/** {@link ResidualVector} equals the portable {@link Residual} bit for bit, for every split. */
class ResidualVectorTest {

    static final int[] SIZES = {1, 3, 8, 17, 1003};

    @Test
    void forwardWritesBitIdenticalToPortable() {
        for (int n : SIZES) {
            SplittableRandom rnd = new SplittableRandom(n);
            float[] a = randomFloats(rnd, n, 1), b = randomFloats(rnd, n, 100), out0 = randomFloats(rnd, n, 5);
            float[] want = out0.clone();
            Residual.forward(want, a, b, 0, n);
            for (int[] cuts : splits(n)) {
                float[] out = out0.clone();
                runSplit(cuts, (o, c) -> ResidualVector.forward(out, a, b, o, c));
                assertArrayEquals(want, out, "n=" + n + " split " + java.util.Arrays.toString(cuts));
            }
        }
    }

    @Test
    void backwardAccumulatesBitIdenticalToPortable() {
        for (int n : SIZES) {
            SplittableRandom rnd = new SplittableRandom(n + 1);
            float[] dout = randomFloats(rnd, n, 1), da0 = randomFloats(rnd, n, 1), db0 = randomFloats(rnd, n, 3);
            float[] wantA = da0.clone(), wantB = db0.clone();
            Residual.backward(wantA, wantB, dout, 0, n);
            for (int[] cuts : splits(n)) {
                float[] da = da0.clone(), db = db0.clone();
                runSplit(cuts, (o, c) -> ResidualVector.backward(da, db, dout, o, c));
                assertArrayEquals(wantA, da, "da n=" + n + " split " + java.util.Arrays.toString(cuts));
                assertArrayEquals(wantB, db, "db n=" + n + " split " + java.util.Arrays.toString(cuts));
            }
        }
    }
}
