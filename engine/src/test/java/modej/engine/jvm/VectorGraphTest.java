package modej.engine.jvm;

import static modej.engine.graph.Arg.f32;
import static modej.engine.graph.Arg.i32;
import static modej.engine.kernel.GradCheck.randomFloats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import modej.engine.device.Executable;
import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.engine.kernel.AdamW;
import modej.engine.kernel.CrossEntropy;
import modej.engine.kernel.Gate;
import modej.engine.kernel.LayerNorm;
import modej.engine.kernel.Residual;
import modej.engine.kernel.Scale;

/**
 * A small training step through {@link JvmBackend} built from the elementwise and per-row fast
 * paths (LayerNorm, Scale, Gate mix, Residual, CrossEntropy, AdamW): the same bits on 1, 2 and 3
 * threads, and close to the portable kernels.
 */
class VectorGraphTest {

    static final int ROWS = 37, C = 45;   // C is also the vocabulary: the residual output is the logits
    static final float SCALE = 0.5f;

    @Test
    void throughBackendThreadCountDoesNotChangeBits() {
        SplittableRandom rnd = new SplittableRandom(41);
        float[] inp = randomFloats(rnd, ROWS * C, 2);
        float[] params = randomFloats(rnd, 2 * C, 1);
        float[] weights = randomFloats(rnd, ROWS * 2, 1);
        int[] targets = new int[ROWS];
        for (int r = 0; r < ROWS; r++) {
            targets[r] = r % 5 == 2 ? -1 : rnd.nextInt(C);
        }
        float[][] one = step(new JvmBackend(1, true, false), inp, params, weights, targets);
        float[][] two = step(new JvmBackend(2, true, false), inp, params, weights, targets);
        float[][] three = step(new JvmBackend(3, true, false), inp, params, weights, targets);
        float[][] portable = step(new JvmBackend(2, false, false), inp, params, weights, targets);
        String[] names = {"losses", "correct", "dinp", "grads", "params after AdamW"};
        for (int i = 0; i < names.length; i++) {
            assertArrayEquals(one[i], two[i], names[i] + " 1 vs 2 threads");
            assertArrayEquals(one[i], three[i], names[i] + " 1 vs 3 threads");
            // Rounding differences only (row sums in another order, another exp): well within 1e-4.
            for (int j = 0; j < one[i].length; j++) {
                if (!(Math.abs(one[i][j] - portable[i][j]) <= 1e-4 * (1 + Math.abs(portable[i][j])))) {
                    fail(names[i] + "[" + j + "]: portable " + portable[i][j] + ", vector " + one[i][j]);
                }
            }
        }
    }

    /**
     * h = LN(inp); mixed = w0·(SCALE·h) + w1·h; logits = mixed + inp; cross-entropy; the backward
     * pass into inp and the LayerNorm parameters; one AdamW step; zeroGrad of a scratch gradient.
     */
    private static float[][] step(JvmBackend backend, float[] inp0, float[] params0, float[] weights0, int[] targets0) {
        try (backend) {
            int n = ROWS * C, wOff = 0, bOff = C;
            Buffer.F32 inp = new Buffer.F32("inp", inp0.clone()), params = new Buffer.F32("params", params0.clone());
            Buffer.F32 weights = new Buffer.F32("weights", weights0.clone());
            Buffer.I32 targets = new Buffer.I32("targets", targets0.clone());
            Buffer.F32 h = new Buffer.F32("h", n), mean = new Buffer.F32("mean", ROWS), rstd = new Buffer.F32("rstd", ROWS);
            Buffer.F32 sh = new Buffer.F32("sh", n), mixed = new Buffer.F32("mixed", n), logits = new Buffer.F32("logits", n);
            Buffer.F32 losses = new Buffer.F32("losses", ROWS), probs = new Buffer.F32("probs", n),
                    correct = new Buffer.F32("correct", ROWS);
            Buffer.F32 scale = new Buffer.F32("scale", new float[] {1f / ROWS});
            Buffer.F32 dlogits = new Buffer.F32("dlogits", n), dmixed = new Buffer.F32("dmixed", n),
                    dinp = new Buffer.F32("dinp", n), dsh = new Buffer.F32("dsh", n), dh = new Buffer.F32("dh", n);
            Buffer.F32 grads = new Buffer.F32("grads", 2 * C), m = new Buffer.F32("m", 2 * C), v = new Buffer.F32("v", 2 * C);
            Buffer.F32 lr = new Buffer.F32("lr", new float[] {1e-2f});
            Buffer.I32 stepNo = new Buffer.I32("step", new int[] {1});
            Buffer.F32 scratch = new Buffer.F32("scratch", randomFloats(new SplittableRandom(5), n, 1));
            Graph g = new Graph("step")
                    .task("ln", ROWS, LayerNorm::forward, h, mean, rstd, inp, params, i32(wOff), i32(bOff), i32(C))
                    .task("scale", n, Scale::forward, sh, h, f32(SCALE))
                    .task("mix0", ROWS, Gate::mixForward, mixed, sh, weights, i32(0), i32(2), i32(C), i32(1), i32(0))
                    .task("mix1", ROWS, Gate::mixForward, mixed, h, weights, i32(1), i32(2), i32(C), i32(1), i32(1))
                    .task("residual", n, Residual::forward, logits, mixed, inp)
                    .task("ce", ROWS, CrossEntropy::forward, losses, probs, correct, logits, targets, i32(C))
                    .task("ce.backward", ROWS, CrossEntropy::backward, dlogits, probs, targets, scale, i32(C))
                    .task("residual.backward", n, Residual::backward, dmixed, dinp, dlogits)
                    .task("mix0.backward", ROWS, Gate::mixBackwardInput, dsh, dmixed, weights, i32(0),
                            i32(2), i32(C), i32(1))
                    .task("mix1.backward", ROWS, Gate::mixBackwardInput, dh, dmixed, weights, i32(1), i32(2),
                            i32(C), i32(1))
                    .task("scale.backward", n, Scale::backward, dh, dsh, f32(SCALE))
                    .task("ln.backwardInput", ROWS, LayerNorm::backwardInput, dinp, dh, inp, mean, rstd,
                            params, i32(wOff), i32(C))
                    .task("ln.backwardParams", C, LayerNorm::backwardParams, grads, i32(wOff), i32(bOff), dh, inp,
                            mean, rstd, i32(ROWS), i32(C))
                    .task("adamw", 2 * C, AdamW::update, params, grads, m, v, lr, stepNo,
                            f32(0.9f), f32(0.95f), f32(1e-8f), f32(0.1f), i32(0))
                    .task("zero", n - 3, AdamW::zeroGrad, scratch, i32(3));
            Executable e = backend.compile(g);
            e.run();
            backend.toHost(scratch, losses, correct, dinp, grads, params);
            for (int i = 3; i < n; i++) {
                if (scratch.data()[i] != 0f) {
                    fail("zeroGrad left scratch[" + i + "] = " + scratch.data()[i]);
                }
            }
            return new float[][] {losses.data(), correct.data(), dinp.data(), grads.data(), params.data()};
        }
    }
}
