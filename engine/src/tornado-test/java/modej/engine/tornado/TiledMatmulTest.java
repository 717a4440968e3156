package modej.engine.tornado;

import static modej.engine.graph.Arg.i32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import modej.engine.device.Executable;
import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.engine.graph.Task;
import modej.engine.kernel.Matmul;

/**
 * {@link TiledMatmul}, which the TornadoVM backend runs on the device in place of {@link Matmul}'s
 * kernels, against a reference computed here in double precision from the definitions, on sizes
 * that are and are not multiples of the tile, with outputs that already hold values (the backward
 * kernels and {@code forwardAccumulate} add to them; {@code forward} overwrites them).
 */
@Tag("tornado")
class TiledMatmulTest {

    /** Relative to the sum of |products| of an element: a float sum of up to ~100 terms. */
    static final double TOLERANCE = 1e-5;

    @ParameterizedTest(name = "rows {0}, C {1}, OC {2}, bias {3}")
    @CsvSource({"37, 29, 45, true", "32, 16, 48, false", "5, 70, 3, true", "130, 24, 17, true", "150, 90, 130, true",
            "64, 128, 64, false"})
    void allFourKernelsMatchTheDefinitions(int rows, int C, int OC, boolean bias) {
        SplittableRandom r = new SplittableRandom(rows * 31L + C * 7L + OC);
        // params: weight (OC, C) at 3, bias (OC) after it, some slack around both
        int wOff = 3, bOff = bias ? wOff + OC * C : -1;
        Buffer.F32 params = DeviceTests.random("params", wOff + OC * C + OC + 5, r, 1.0);
        Buffer.F32 inp = DeviceTests.random("inp", rows * C, r, 1.0);
        Buffer.F32 out = DeviceTests.random("out", rows * OC, r, 1.0);
        Buffer.F32 acc = DeviceTests.random("acc", rows * OC, r, 1.0);
        Buffer.F32 dout = DeviceTests.random("dout", rows * OC, r, 1.0);
        Buffer.F32 dinp = DeviceTests.random("dinp", rows * C, r, 1.0);
        int dwOff = 2, dbOff = bias ? dwOff + OC * C : -1;
        Buffer.F32 grads = DeviceTests.random("grads", dwOff + OC * C + OC + 4, r, 1.0);
        float[] acc0 = acc.data().clone(), dinp0 = dinp.data().clone(), grads0 = grads.data().clone();

        Graph g = new Graph("matmuls")
                .task("forward", rows, Matmul::forward, out, inp, params, i32(wOff), i32(bOff), i32(C), i32(OC))
                .task("accumulate", rows, Matmul::forwardAccumulate, acc, inp, params, i32(wOff), i32(C), i32(OC))
                .task("input", rows, Matmul::backwardInput, dinp, dout, params, i32(wOff), i32(C), i32(OC))
                .task("params", OC, Matmul::backwardParams, grads, i32(dwOff), i32(dbOff), dout, inp, i32(rows),
                        i32(C), i32(OC));
        for (Task t : g.tasks()) {
            DeviceTests.assertReplaced(t);
        }
        try (TornadoBackend be = new TornadoBackend()) {
            Executable e = be.compile(g);
            e.run();
            be.toHost(out, acc, dinp, grads);
        }

        float[] w = params.data(), x = inp.data(), d = dout.data();
        for (int row = 0; row < rows; row++) {
            for (int o = 0; o < OC; o++) {
                double sum = bias ? w[bOff + o] : 0, mag = bias ? Math.abs(w[bOff + o]) : 0;
                double plain = 0;
                for (int c = 0; c < C; c++) {
                    double p = (double) x[row * C + c] * w[wOff + o * C + c];
                    plain += p;
                    mag += Math.abs(p);
                }
                near(sum + plain, out.data()[row * OC + o], mag, "forward (" + row + ", " + o + ")");
                near(acc0[row * OC + o] + plain, acc.data()[row * OC + o], mag + Math.abs(acc0[row * OC + o]),
                        "forwardAccumulate (" + row + ", " + o + ")");
            }
            for (int c = 0; c < C; c++) {
                double sum = dinp0[row * C + c], mag = Math.abs(sum);
                for (int o = 0; o < OC; o++) {
                    double p = (double) d[row * OC + o] * w[wOff + o * C + c];
                    sum += p;
                    mag += Math.abs(p);
                }
                near(sum, dinp.data()[row * C + c], mag, "backwardInput (" + row + ", " + c + ")");
            }
        }
        for (int o = 0; o < OC; o++) {
            for (int c = 0; c < C; c++) {
                double sum = grads0[dwOff + o * C + c], mag = Math.abs(sum);
                for (int row = 0; row < rows; row++) {
                    double p = (double) d[row * OC + o] * x[row * C + c];
                    sum += p;
                    mag += Math.abs(p);
                }
                near(sum, grads.data()[dwOff + o * C + c], mag, "backwardParams dW (" + o + ", " + c + ")");
            }
            if (bias) {
                double sum = grads0[dbOff + o], mag = Math.abs(sum);
                for (int row = 0; row < rows; row++) {
                    sum += d[row * OC + o];
                    mag += Math.abs(d[row * OC + o]);
                }
                near(sum, grads.data()[dbOff + o], mag, "backwardParams dbias (" + o + ")");
            }
        }
        // the slack around the slabs is untouched
        assertEquals(grads0[0], grads.data()[0]);
        assertEquals(grads0[grads0.length - 1], grads.data()[grads0.length - 1]);
        if (!bias) {
            for (int i = dwOff + OC * C; i < grads0.length; i++) {
                assertEquals(grads0[i], grads.data()[i], "no bias: grads[" + i + "] must not change");
            }
        }
    }

    private static void near(double expected, float actual, double magnitude, String what) {
        double tol = TOLERANCE * Math.max(1e-3, magnitude);
        assertTrue(Math.abs(expected - actual) <= tol, what + ": expected " + expected + ", device " + actual
                + " (tolerance " + tol + ")");
    }
}
