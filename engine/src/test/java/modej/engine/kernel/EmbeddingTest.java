package modej.engine.kernel;

import static modej.engine.kernel.GradCheck.assertClose;
import static modej.engine.kernel.GradCheck.dot;
import static modej.engine.kernel.GradCheck.numeric;
import static modej.engine.kernel.GradCheck.randomFloats;
import static modej.engine.kernel.GradCheck.toDouble;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class EmbeddingTest {

    static final int B = 2, T = 3, C = 4, V = 5, MAX_T = 4, ROWS = B * T;
    // params slab: 2 floats of padding, wte (V, C), 3 floats of padding, wpe (MAX_T, C), 1 float of padding
    static final int WTE_OFF = 2, WPE_OFF = WTE_OFF + V * C + 3, P_LEN = WPE_OFF + MAX_T * C + 1;
    // token 1 appears three times, token 3 never: scatter-adds must accumulate, untouched rows stay 0
    static final int[] TOKENS = {1, 4, 1, 0, 2, 1};

    /** Independent double-precision reference over the whole params slab: out (ROWS, C). */
    static double[] reference(double[] params) {
        double[] out = new double[ROWS * C];
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                int row = b * T + t;
                for (int c = 0; c < C; c++) {
                    out[row * C + c] = params[WTE_OFF + TOKENS[row] * C + c] + params[WPE_OFF + t * C + c];
                }
            }
        }
        return out;
    }

    @Test
    void forwardMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(11);
        float[] params = randomFloats(rnd, P_LEN, 1);
        float[] out = new float[ROWS * C];
        Arrays.fill(out, Float.NaN); // forward writes every element
        Embedding.forward(out, TOKENS, params, WTE_OFF, WPE_OFF, T, C, 0, 2);
        Embedding.forward(out, TOKENS, params, WTE_OFF, WPE_OFF, T, C, 2, ROWS - 2);
        assertClose("out", reference(toDouble(params)), out, 1e-6, 1e-6);
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        SplittableRandom rnd = new SplittableRandom(12);
        float[] params = randomFloats(rnd, P_LEN, 1);
        float[] dout = randomFloats(rnd, ROWS * C, 1);
        double[] r = toDouble(dout);

        // gradients accumulate: start from non-zero values and subtract them afterwards
        float[] grads = randomFloats(rnd, P_LEN, 1);
        float[] grads0 = grads.clone();
        Embedding.backwardTokens(grads, WTE_OFF, dout, TOKENS, ROWS, C, 0, 1);
        Embedding.backwardTokens(grads, WTE_OFF, dout, TOKENS, ROWS, C, 1, C - 1);
        Embedding.backwardPositions(grads, WPE_OFF, dout, B, T, C, 0, 5);
        Embedding.backwardPositions(grads, WPE_OFF, dout, B, T, C, 5, T * C - 5);
        for (int i = 0; i < grads.length; i++) {
            grads[i] -= grads0[i];
        }

        // over the whole slab: padding, unused tokens and positions >= T must get exactly nothing
        double[] expected = numeric(p -> dot(r, reference(p)), toDouble(params), 1e-4);
        assertClose("dparams", expected, grads, 1e-5, 1e-5);
        for (int i = 0; i < P_LEN; i++) {
            boolean untouched = i < WTE_OFF                                  // padding
                    || (i >= WTE_OFF + 3 * C && i < WTE_OFF + 4 * C)         // token 3 is unused
                    || (i >= WTE_OFF + V * C && i < WPE_OFF)                 // padding
                    || i >= WPE_OFF + T * C;                                 // positions T.. and padding
            if (untouched && grads[i] != 0f) {
                fail("dparams[" + i + "] should be untouched but changed by " + grads[i]);
            }
        }
    }
}
