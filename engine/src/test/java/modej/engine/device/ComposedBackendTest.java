package modej.engine.device;

import static modej.engine.graph.Arg.f32;
import static modej.engine.graph.Arg.i32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.engine.jvm.JvmBackend;
import modej.engine.kernel.Residual;
import modej.engine.kernel.Scale;
import modej.engine.plan.ExecutionPlan;
import modej.engine.plan.GraphConfig;
import modej.engine.plan.Strategy;

/**
 * The composed backend with two JVM backends as its devices, both in the transfer-tracking mode:
 * each keeps device copies of its own, so they behave as two devices with separate memories, and a
 * copy the composed backend forgets fails where it is missing (or gives wrong numbers).
 */
class ComposedBackendTest {

    /** Test-only kernel (outside the kernel rules): busy-waits {@code millis}, then writes out[0]. */
    public static final class Spin {
        public static void run(float[] out, int millis, int offset, int count) {
            long end = System.nanoTime() + millis * 1_000_000L;
            while (System.nanoTime() < end) {
                Thread.onSpinWait();
            }
            out[0] = millis;
        }
    }

    static JvmBackend tracking() {
        return new JvmBackend(1, true, false, true);
    }

    static ComposedBackend twoDevices() {
        return new ComposedBackend(List.of(new ComposedBackend.Member("a", tracking()),
                new ComposedBackend.Member("b", tracking())));
    }

    /**
     * A MoDE-like block over two steps: "input" scales x into h; "left" and "right" read h
     * independently (one stage); "join" adds their outputs into x for the next step. The host
     * rewrites the scale factor between steps.
     */
    record Block(Buffer.F32 x, Buffer.F32 factor, Buffer.F32 h, Buffer.F32 l, Buffer.F32 r, Graph input, Graph left,
            Graph right, Graph join) {
        static Block make() {
            int n = 64;
            Buffer.F32 x = new Buffer.F32("x", n), h = new Buffer.F32("h", n), l = new Buffer.F32("l", n),
                    r = new Buffer.F32("r", n), factor = new Buffer.F32("factor", n);
            for (int i = 0; i < n; i++) {
                x.data()[i] = 0.1f * i - 2f;
                factor.data()[i] = 1.5f;
            }
            Graph input = new Graph("input").task("in", n, Residual::forward, h, x, factor);
            Graph left = new Graph("left").task("left", n, Scale::forward, l, h, f32(0.75f));
            Graph right = new Graph("right").task("right", n, Residual::forward, r, h, factor);
            Graph join = new Graph("join").task("join", n, Residual::forward, x, l, r);
            return new Block(x, factor, h, l, r, input, left, right, join);
        }

        /** Two steps on {@code backend} with {@code plan}; returns x after each. */
        float[][] run(Backend backend, ExecutionPlan plan) {
            List<Executable> stages = plan.compile(List.of(List.of(input), List.of(left, right), List.of(join)), backend);
            float[][] out = new float[2][];
            backend.toDevice(x, factor);
            for (int step = 0; step < 2; step++) {
                stages.forEach(Executable::run);
                backend.toHost(x);
                out[step] = x.data().clone();
                java.util.Arrays.fill(factor.data(), 0.5f + step);
                backend.toDevice(factor);
            }
            return out;
        }
    }

    static float[][] reference() {
        try (JvmBackend one = tracking()) {
            return Block.make().run(one, ExecutionPlan.spmd());
        }
    }

    @Test
    void graphsOnTwoDevicesGiveTheSingleBackendsResults() {
        float[][] expected = reference();
        // every placement of the four graphs on the two devices, under MPMD
        for (int mask = 0; mask < 16; mask++) {
            int m = mask;
            Block b = Block.make();
            Map<String, Integer> at = Map.of("input", m & 1, "left", (m >> 1) & 1, "right", (m >> 2) & 1, "join", (m >> 3) & 1);
            try (ComposedBackend be = twoDevices()) {
                float[][] got = b.run(be, new ExecutionPlan(Strategy.MPMD, ExecutionPlan.Placement.of(at)));
                for (int s = 0; s < 2; s++) {
                    assertArrayEquals(expected[s], got[s], "placement " + at + ", step " + s);
                }
                if ((m & 1) != ((m >> 3) & 1)) {
                    assertTrue(be.moves() > 0, "x moved between devices under placement " + at);
                }
            }
        }
    }

    @Test
    void ownerFollowsTheLastWriterAndTheHostGetsItBack() {
        Block b = Block.make();
        try (ComposedBackend be = twoDevices()) {
            Executable right = be.compile(b.right(), 0, 1);
            be.toDevice(b.x(), b.factor(), b.h());
            assertNull(be.owner(b.r()));
            right.run();
            assertEquals("b", be.owner(b.r()), "right ran on b and may have written r");
            be.toHost(b.r());
            assertNull(be.owner(b.r()), "after toHost the host's copy is current");
            float[] r = b.r().data();
            for (int i = 0; i < r.length; i++) {
                assertEquals(b.h().data()[i] + b.factor().data()[i], r[i]);
            }
        }
    }

    @Test
    void closeBringsEveryOwnedBufferHome() {
        Block b = Block.make();
        ComposedBackend be = twoDevices();
        Executable input = be.compile(b.input(), 0, 1);
        be.toDevice(b.x(), b.factor());
        input.run();
        be.close(); // no toHost: the device copy of h on b is the only current one until close
        float[] h = (float[]) b.h().array();
        float[] x = b.x().data(), f = b.factor().data();
        for (int i = 0; i < h.length; i++) {
            assertEquals(x[i] + f[i], h[i], "h[" + i + "]");
        }
    }

    @Test
    void aStagesGraphsOnTwoDevicesOverlapInTime() {
        Buffer.F32 p = new Buffer.F32("p", 1), q = new Buffer.F32("q", 1);
        Graph slowA = new Graph("slow.a").task("spin", 1, Spin::run, p, i32(150));
        Graph slowB = new Graph("slow.b").task("spin", 1, Spin::run, q, i32(150));
        try (ComposedBackend be = twoDevices()) {
            Executable stage = be.concurrent(List.of(be.compile(slowA, 0, 0), be.compile(slowB, 0, 1)), new int[] {0, 1});
            be.record(true);
            stage.run();
            List<ComposedBackend.Span> spans = be.spans();
            assertEquals(2, spans.size());
            Function<String, ComposedBackend.Span> on = d -> spans.stream().filter(s -> s.device().equals(d)).findFirst().orElseThrow();
            ComposedBackend.Span a = on.apply("a"), b = on.apply("b");
            assertTrue(a.start() < b.end() && b.start() < a.end(), "the two devices' graphs ran one after another: " + spans);
            be.toHost(p, q);
            assertEquals(150f, p.data()[0]);
            assertEquals(150f, q.data()[0]);
        }
    }

    @Test
    void refusesAGraphPlacedOnAnotherDeviceThanItWasCompiledFor() {
        Block b = Block.make();
        try (ComposedBackend be = twoDevices()) {
            Executable left = be.compile(b.left(), 0, 0), right = be.compile(b.right(), 0, 1);
            assertThrows(IllegalArgumentException.class, () -> be.concurrent(List.of(left, right), new int[] {1, 1}));
            assertThrows(IllegalArgumentException.class, () -> be.compile(b.left(), 0, 2));
        }
    }

    @Test
    void graphConfigNamesTheMembersDevices() {
        try (ComposedBackend be = twoDevices()) {
            assertEquals(List.of("a", "b"), be.deviceNames());
            Block b = Block.make();
            ExecutionPlan.Placement placed = GraphConfig.of(Map.of("left.device", "b", "right.device", "a"))
                    .placement(List.of("input", "left", "right", "join"), be.deviceNames());
            float[][] got = b.run(be, new ExecutionPlan(Strategy.MPMD, placed));
            float[][] expected = reference();
            assertArrayEquals(expected[1], got[1]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GraphConfig.of(Map.of("left.device", "jvm:0"))
                    .placement(List.of("left"), be.deviceNames()));
            assertTrue(e.getMessage().contains("valid devices: a, b"), e.getMessage());
        }
    }
}
