package modej.engine.jvm;

import static modej.engine.jvm.MatmulVectorTest.runSplit;
import static modej.engine.jvm.MatmulVectorTest.splits;
import static modej.engine.kernel.GradCheck.randomFloats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import modej.engine.kernel.Scale;

/** {@link ScaleVector} equals the portable {@link Scale} bit for bit, for every split. */
class ScaleVectorTest {

    static final int[] SIZES = {1, 3, 8, 17, 1003};
    static final float SCALE = 0.37f;

    @Test
    void forwardWritesBitIdenticalToPortable() {
        for (int n : SIZES) {
            SplittableRandom rnd = new SplittableRandom(n);
            float[] inp = randomFloats(rnd, n, 10), out0 = randomFloats(rnd, n, 5);
            float[] want = out0.clone();
            Scale.forward(want, inp, SCALE, 0, n);
            for (int[] cuts : splits(n)) {
                float[] out = out0.clone();
                runSplit(cuts, (o, c) -> ScaleVector.forward(out, inp, SCALE, o, c));
                assertArrayEquals(want, out, "n=" + n + " split " + java.util.Arrays.toString(cuts));
            }
        }
    }

    @Test
    void backwardAccumulatesBitIdenticalToPortable() {
        for (int n : SIZES) {
            SplittableRandom rnd = new SplittableRandom(n + 1);
            float[] dout = randomFloats(rnd, n, 1), dinp0 = randomFloats(rnd, n, 1);
            float[] want = dinp0.clone();
            Scale.backward(want, dout, SCALE, 0, n);
            for (int[] cuts : splits(n)) {
                float[] dinp = dinp0.clone();
                runSplit(cuts, (o, c) -> ScaleVector.backward(dinp, dout, SCALE, o, c));
                assertArrayEquals(want, dinp, "n=" + n + " split " + java.util.Arrays.toString(cuts));
            }
        }
    }
}
