package modej.engine.tornado;

import static modej.engine.graph.Arg.i32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.engine.graph.Task;
import modej.engine.kernel.LayerNorm;

/**
 * {@link DeviceLayerNorm}, which the TornadoVM backend runs on the device in place of
 * {@link LayerNorm}'s kernels, against those portable kernels run here on the JVM (themselves
 * checked against finite differences in {@code LayerNormTest}), on widths below, at and above a
 * work-group's {@value DeviceLayerNorm#LANES} lanes and row counts that are and are not multiples
 * of {@value DeviceLayerNorm#ROW_LANES}. forward's outputs start out holding garbage; the
 * gradients start out holding values they must add to; the weight gradient task covers all but
 * the last {@code channelsLeftOut} channels, whose gradients must stay as they were.
 */
@Tag("tornado")
class DeviceLayerNormTest {

    @ParameterizedTest(name = "rows {0}, C {1}, channels left out {2}")
    @CsvSource({"5, 24, 0", "37, 32, 0", "64, 100, 3", "3, 7, 1", "129, 768, 0"})
    void allThreeKernelsMatchThePortableOnes(int rows, int C, int channelsLeftOut) {
        SplittableRandom r = new SplittableRandom(rows * 100L + C);
        int wOff = 2, bOff = wOff + C;
        Buffer.F32 params = DeviceTests.random("params", bOff + C + 3, r, 1.0);
        Buffer.F32 inp = DeviceTests.random("inp", rows * C, r, 3.0);
        Buffer.F32 dout = DeviceTests.random("dout", rows * C, r, 1.0);
        Buffer.F32 out = DeviceTests.random("out", rows * C, r, 1.0);
        Buffer.F32 mean = DeviceTests.random("mean", rows, r, 1.0);
        Buffer.F32 rstd = DeviceTests.random("rstd", rows, r, 1.0);
        Buffer.F32 dinp = DeviceTests.random("dinp", rows * C, r, 1.0);
        int dwOff = 1, dbOff = dwOff + C;
        Buffer.F32 grads = DeviceTests.random("grads", dbOff + C + 2, r, 1.0);
        int channels = C - channelsLeftOut;

        float[] outRef = new float[out.length()], meanRef = new float[rows], rstdRef = new float[rows];
        float[] dinpRef = dinp.data().clone(), gradsRef = grads.data().clone(), grads0 = grads.data().clone();
        LayerNorm.forward(outRef, meanRef, rstdRef, inp.data(), params.data(), wOff, bOff, C, 0, rows);
        LayerNorm.backwardInput(dinpRef, dout.data(), inp.data(), meanRef, rstdRef, params.data(), wOff, C, 0, rows);
        LayerNorm.backwardParams(gradsRef, dwOff, dbOff, dout.data(), inp.data(), meanRef, rstdRef, rows, C, 0, channels);

        Graph g = new Graph("layernorm")
                .task("forward", rows, LayerNorm::forward, out, mean, rstd, inp, params, i32(wOff), i32(bOff), i32(C))
                .task("input", rows, LayerNorm::backwardInput, dinp, dout, inp, mean, rstd, params, i32(wOff), i32(C))
                .task("params", channels, LayerNorm::backwardParams, grads, i32(dwOff), i32(dbOff), dout, inp, mean, rstd,
                        i32(rows), i32(C));
        for (Task t : g.tasks()) {
            DeviceTests.assertReplaced(t);
        }
        try (TornadoBackend be = new TornadoBackend()) {
            be.compile(g).run();
            be.toHost(out, mean, rstd, dinp, grads);
        }
        // row sums of C terms added in another order, and a float square root instead of a double one
        near(meanRef, mean.data(), 2e-6f, "mean");
        near(rstdRef, rstd.data(), 2e-6f, "rstd");
        near(outRef, out.data(), 1e-5f, "out");
        near(dinpRef, dinp.data(), 1e-5f, "dinp");
        for (int c = 0; c < C; c++) {
            if (c >= channels) {
                assertEquals(grads0[dwOff + c], grads.data()[dwOff + c], "dweight[" + c + "] is outside the task");
                assertEquals(grads0[dbOff + c], grads.data()[dbOff + c], "dbias[" + c + "] is outside the task");
                continue;
            }
            // sums over all rows in another order: relative to Σ|terms| plus |the start value|
            double dwScale = Math.abs(grads0[dwOff + c]), dbScale = Math.abs(grads0[dbOff + c]);
            for (int row = 0; row < rows; row++) {
                float d = dout.data()[row * C + c];
                dwScale += Math.abs(d * (inp.data()[row * C + c] - meanRef[row]) * rstdRef[row]);
                dbScale += Math.abs(d);
            }
            assertTrue(Math.abs(gradsRef[dwOff + c] - grads.data()[dwOff + c]) <= 1e-5 * dwScale,
                    "dweight[" + c + "]: portable " + gradsRef[dwOff + c] + ", device " + grads.data()[dwOff + c]);
            assertTrue(Math.abs(gradsRef[dbOff + c] - grads.data()[dbOff + c]) <= 1e-5 * dbScale,
                    "dbias[" + c + "]: portable " + gradsRef[dbOff + c] + ", device " + grads.data()[dbOff + c]);
        }
    }

    private static void near(float[] expected, float[] actual, float tolerance, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Math.abs(expected[i] - actual[i]) <= tolerance * Math.max(1f, Math.abs(expected[i])),
                    what + "[" + i + "]: portable " + expected[i] + ", device " + actual[i]);
        }
    }
}
