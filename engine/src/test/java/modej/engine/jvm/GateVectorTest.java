package modej.engine.jvm;

import static modej.engine.jvm.MatmulVectorTest.runSplit;
import static modej.engine.jvm.MatmulVectorTest.splits;
import static modej.engine.kernel.GradCheck.randomFloats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import modej.engine.kernel.Gate;

/**
 * {@link GateVector}'s mix and mix input gradient equal the portable {@link Gate} kernels bit for
 * bit, per token and per sequence gates, writing and accumulating, for every split of the rows.
 */
class GateVectorTest {

    /** rows, C, rowsPerGate. */
    static final int[][] SHAPES = {{1, 1, 1}, {1, 45, 1}, {3, 8, 3}, {12, 45, 4}, {7, 17, 1}, {6, 128, 2}};
    static final int E1 = 3, SOURCE = 2;

    @Test
    void mixIsBitIdenticalToPortable() {
        for (int[] s : SHAPES) {
            int rows = s[0], C = s[1], rpg = s[2];
            SplittableRandom rnd = new SplittableRandom(rows * 100 + C);
            float[] y = randomFloats(rnd, rows * C, 2), weights = randomFloats(rnd, rows / rpg * E1, 1);
            float[] out0 = randomFloats(rnd, rows * C, 1);
            for (int accumulate : new int[] {0, 1}) {
                float[] want = out0.clone();
                Gate.mixForward(want, y, weights, SOURCE, E1, C, rpg, accumulate, 0, rows);
                for (int[] cuts : splits(rows)) {
                    float[] out = out0.clone();
                    runSplit(cuts, (o, c) -> GateVector.mixForward(out, y, weights, SOURCE, E1, C, rpg, accumulate, o, c));
                    assertArrayEquals(want, out, "mix " + java.util.Arrays.toString(s) + " accumulate " + accumulate
                            + " split " + java.util.Arrays.toString(cuts));
                }
            }
        }
    }

    @Test
    void mixBackwardInputAccumulatesBitIdenticalToPortable() {
        for (int[] s : SHAPES) {
            int rows = s[0], C = s[1], rpg = s[2];
            SplittableRandom rnd = new SplittableRandom(rows * 100 + C + 1);
            float[] dout = randomFloats(rnd, rows * C, 2), weights = randomFloats(rnd, rows / rpg * E1, 1);
            float[] dy0 = randomFloats(rnd, rows * C, 1);
            float[] want = dy0.clone();
            Gate.mixBackwardInput(want, dout, weights, SOURCE, E1, C, rpg, 0, rows);
            for (int[] cuts : splits(rows)) {
                float[] dy = dy0.clone();
                runSplit(cuts, (o, c) -> GateVector.mixBackwardInput(dy, dout, weights, SOURCE, E1, C, rpg, o, c));
                assertArrayEquals(want, dy, "mixBackwardInput " + java.util.Arrays.toString(s)
                        + " split " + java.util.Arrays.toString(cuts));
            }
        }
    }
}
