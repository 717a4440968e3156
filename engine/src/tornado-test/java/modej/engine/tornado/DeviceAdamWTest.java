package modej.engine.tornado;

import static modej.engine.graph.Arg.f32;
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
import modej.engine.kernel.AdamW;

/**
 * {@link DeviceAdamW}, which the TornadoVM backend runs on the device in place of
 * {@link AdamW#update}, against the portable kernel run here on the JVM (itself checked against a
 * double-precision reference in {@code AdamWTest}): one update of the elements base + [0, count)
 * of a slab, at a step where the bias corrections still matter; elements outside stay as they were.
 */
@Tag("tornado")
class DeviceAdamWTest {

    @ParameterizedTest(name = "n {0}, base {1}, count {2}, step {3}")
    @CsvSource({"1000, 17, 900, 1", "300, 0, 300, 7", "5000, 100, 4097, 40"})
    void updateMatchesThePortableKernel(int n, int base, int count, int t) {
        SplittableRandom r = new SplittableRandom(n * 31L + t);
        Buffer.F32 params = DeviceTests.random("params", n, r, 1.0);
        Buffer.F32 grads = DeviceTests.random("grads", n, r, 0.1);
        Buffer.F32 m = DeviceTests.random("m", n, r, 0.01);
        Buffer.F32 v = new Buffer.F32("v", n);
        for (int i = 0; i < n; i++) {
            v.data()[i] = (float) r.nextDouble(0, 1e-3);
        }
        Buffer.F32 lr = new Buffer.F32("lr", 1);
        lr.data()[0] = 3e-3f;
        Buffer.I32 step = new Buffer.I32("step", 1);
        step.data()[0] = t;
        float[] p0 = params.data().clone(), pRef = p0.clone(), m0 = m.data().clone(), v0 = v.data().clone();
        float[] mRef = m0.clone(), vRef = v0.clone();
        AdamW.update(pRef, grads.data(), mRef, vRef, lr.data(), step.data(), 0.9f, 0.95f, 1e-8f, 0.1f, base, 0, count);

        Graph g = new Graph("adamw").task("update", count, AdamW::update, params, grads, m, v, lr, step, f32(0.9f),
                f32(0.95f), f32(1e-8f), f32(0.1f), i32(base));
        Task task = g.tasks().get(0);
        DeviceTests.assertReplaced(task);
        try (TornadoBackend be = new TornadoBackend()) {
            be.compile(g).run();
            be.toHost(params, m, v);
        }
        for (int i = 0; i < n; i++) {
            if (i < base || i >= base + count) {
                assertEquals(p0[i], params.data()[i], "params[" + i + "] is outside the task");
                continue;
            }
            // the same float arithmetic, but float pow and sqrt against double ones, and perhaps fused
            // multiply-adds: the moments relative to their two terms' magnitudes
            float gi = grads.data()[i];
            assertTrue(Math.abs(mRef[i] - m.data()[i]) <= 1e-6f * (0.9f * Math.abs(m0[i]) + 0.1f * Math.abs(gi)),
                    "m[" + i + "]: portable " + mRef[i] + ", device " + m.data()[i]);
            assertTrue(Math.abs(vRef[i] - v.data()[i]) <= 1e-6f * (0.95f * v0[i] + 0.05f * gi * gi),
                    "v[" + i + "]: portable " + vRef[i] + ", device " + v.data()[i]);
            float step0 = Math.abs(pRef[i] - p0[i]); // the size of this update
            assertTrue(Math.abs(pRef[i] - params.data()[i]) <= 1e-5f * step0 + 2e-7f * Math.abs(p0[i]),
                    "params[" + i + "]: portable " + pRef[i] + ", device " + params.data()[i] + " (from " + p0[i] + ")");
        }
    }
}
