package modej.engine.tornado;

import static modej.engine.graph.Arg.i32;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import modej.engine.device.Executable;
import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.engine.graph.Task;
import modej.engine.kernel.Attention;

/**
 * {@link DeviceAttention}, which the TornadoVM backend runs on the device in place of
 * {@link Attention#forward}, {@link Attention#backwardScores} and {@link Attention#backwardInput}, against those portable kernels
 * run here on the JVM (themselves checked against finite differences in {@code AttentionTest}), on
 * sequence lengths below, at and above a work-group's {@value DeviceAttention#LANES} lanes and head
 * sizes below and above it. Both outputs are written whole (the masked future too), so they start
 * out holding garbage.
 */
@Tag("tornado")
class DeviceAttentionTest {

    /** Absolute, on probabilities and outputs of order 1: the row sums are added in another order. */
    static final float TOLERANCE = 2e-6f;

    @ParameterizedTest(name = "B {0}, T {1}, C {2}, NH {3}")
    @CsvSource({"2, 45, 24, 3", "1, 32, 64, 1", "2, 70, 96, 2", "3, 5, 8, 1"})
    void forwardAndBackwardScoresMatchThePortableKernels(int B, int T, int C, int NH) {
        SplittableRandom r = new SplittableRandom(B * 1000L + T * 10L + C);
        int rows = B * NH * T;
        Buffer.F32 qkv = DeviceTests.random("qkv", B * T * 3 * C, r, 2.0);
        Buffer.F32 dout = DeviceTests.random("dout", B * T * C, r, 1.0);
        Buffer.F32 out = DeviceTests.random("out", B * T * C, r, 1.0);
        Buffer.F32 att = DeviceTests.random("att", rows * T, r, 1.0);
        Buffer.F32 dpreatt = DeviceTests.random("dpreatt", rows * T, r, 1.0);
        Buffer.F32 attIn = new Buffer.F32("attIn", rows * T); // backwardScores' probabilities, from the JVM

        float[] outRef = new float[out.length()], attRef = new float[att.length()], dpreRef = new float[dpreatt.length()];
        Attention.forward(outRef, attRef, qkv.data(), T, C, NH, 0, rows);
        Attention.backwardScores(dpreRef, dout.data(), attRef, qkv.data(), T, C, NH, 0, rows);
        System.arraycopy(attRef, 0, attIn.data(), 0, attRef.length);

        Graph g = new Graph("attention")
                .task("forward", rows, Attention::forward, out, att, qkv, i32(T), i32(C), i32(NH))
                .task("scores", rows, Attention::backwardScores, dpreatt, dout, attIn, qkv, i32(T), i32(C), i32(NH));
        for (Task t : g.tasks()) {
            DeviceTests.assertReplaced(t);
        }
        try (TornadoBackend be = new TornadoBackend()) {
            Executable e = be.compile(g);
            e.run();
            be.toHost(out, att, dpreatt);
        }
        near(attRef, att.data(), "att");
        near(outRef, out.data(), "out");
        near(dpreRef, dpreatt.data(), "dpreatt");
        for (int row = 0; row < rows; row++) {
            int t = row % T;
            for (int t2 = t + 1; t2 < T; t2++) {
                assertTrue(att.data()[row * T + t2] == 0f && dpreatt.data()[row * T + t2] == 0f,
                        "row " + row + ", t2 " + t2 + ": the masked future must be 0");
            }
        }
    }

    /**
     * Attention.backwardInput's device equivalent (tiled products per head) against the portable
     * kernel: dpreatt and att hold garbage beyond the causal mask (neither kernel may read it),
     * dqkv holds values it must add to, and a task over fewer than all rows must leave the
     * other rows' gradients alone.
     */
    @ParameterizedTest(name = "B {0}, T {1}, C {2}, NH {3}, rows left out {4}")
    @CsvSource({"2, 45, 24, 3, 0", "1, 64, 128, 2, 0", "2, 70, 96, 1, 0", "3, 5, 8, 1, 0", "2, 130, 48, 2, 0",
            "2, 45, 24, 3, 50", "1, 70, 96, 1, 3"})
    void backwardInputMatchesThePortableKernel(int B, int T, int C, int NH, int leftOut) {
        SplittableRandom r = new SplittableRandom(B * 1000L + T * 10L + C + leftOut);
        int rows = B * NH * T;
        int count = rows - leftOut;
        Buffer.F32 qkv = DeviceTests.random("qkv", B * T * 3 * C, r, 2.0);
        Buffer.F32 dout = DeviceTests.random("dout", B * T * C, r, 1.0);
        Buffer.F32 att = DeviceTests.random("att", rows * T, r, 1.0);
        Buffer.F32 dpreatt = DeviceTests.random("dpreatt", rows * T, r, 1.0);
        Buffer.F32 dqkv = DeviceTests.random("dqkv", B * T * 3 * C, r, 1.0);
        float[] start = dqkv.data().clone();
        float[] ref = start.clone();
        Attention.backwardInput(ref, dpreatt.data(), att.data(), qkv.data(), dout.data(), T, C, NH, 0, count);

        Graph g = new Graph("attention-input")
                .task("input", count, Attention::backwardInput, dqkv, dpreatt, att, qkv, dout, i32(T), i32(C), i32(NH));
        Task task = g.tasks().get(0);
        DeviceTests.assertReplaced(task);
        try (TornadoBackend be = new TornadoBackend()) {
            be.compile(g).run();
            be.toHost(dqkv);
        }
        // the same products added in the same order, but a device may fuse multiply-adds: relative
        // to each element's Σ|terms| (the portable kernel over absolute values, plus |the start value|)
        float[] magnitude = abs(start);
        Attention.backwardInput(magnitude, abs(dpreatt.data()), abs(att.data()), abs(qkv.data()), abs(dout.data()), T, C,
                NH, 0, count);
        for (int i = 0; i < ref.length; i++) {
            assertTrue(Math.abs(ref[i] - dqkv.data()[i]) <= 1e-5f * magnitude[i],
                    "dqkv[" + i + "]: portable " + ref[i] + ", device " + dqkv.data()[i]);
        }
    }

    private static float[] abs(float[] a) {
        float[] b = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = Math.abs(a[i]);
        }
        return b;
    }

    private static void near(float[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Math.abs(expected[i] - actual[i]) <= TOLERANCE * Math.max(1f, Math.abs(expected[i])),
                    what + "[" + i + "]: portable " + expected[i] + ", device " + actual[i]);
        }
    }
}
