package modej.engine.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import modej.engine.device.Executable;
import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.engine.jvm.JvmBackend;

class ExecutionPlanTest {

    /** Test-only kernel: records which thread ran it (not a real kernel, so outside the rules). */
    public static final class ThreadProbe {
        public static void record(int[] out, int offset, int count) {
            out[0] = (int) Thread.currentThread().threadId();
        }

        /** Writes the running thread's id into every element of its part. */
        public static void recordEach(int[] out, int offset, int count) {
            for (int i = 0; i < count; i++) {
                out[offset + i] = (int) Thread.currentThread().threadId();
            }
        }
    }

    static Graph probe(String name, Buffer.I32 out, int tasks) {
        Graph g = new Graph(name);
        for (int i = 0; i < tasks; i++) {
            g.task(name + ".t" + i, 1, ThreadProbe::record, out);
        }
        return g;
    }

    @Test
    void mpmdRunsIndependentGraphsOnDifferentWorkers() {
        Buffer.I32 a = new Buffer.I32("a", 1), b = new Buffer.I32("b", 1);
        try (JvmBackend be = new JvmBackend(2, true, false)) {
            ExecutionPlan plan = new ExecutionPlan(Strategy.MPMD, ExecutionPlan.Placement.automatic());
            List<Executable> stages = plan.compile(List.of(List.of(probe("backbone", a, 2), probe("expert", b, 1))), be);
            assertEquals(1, stages.size(), "one concurrent executable for the stage");
            stages.get(0).run();
            be.toHost(a, b);
            assertNotEquals(a.data()[0], b.data()[0], "both graphs ran on the same thread");
        }
    }

    @Test
    void placementBalancesByTaskCountAndHonoursFixedDevices() {
        Buffer.I32 x = new Buffer.I32("x", 1);
        List<Graph> stage = List.of(probe("backbone", x, 4), probe("expert.a", x, 2), probe("expert.b", x, 2));
        assertEquals(List.of(0, 1, 1), asList(ExecutionPlan.Placement.automatic().devices(stage, 2)));
        assertEquals(List.of(1, 0, 0), asList(ExecutionPlan.Placement.of(Map.of("backbone", 1)).devices(stage, 2)));
        assertThrows(IllegalArgumentException.class, () -> ExecutionPlan.Placement.of(Map.of("backbone", 5)).devices(stage, 2));
    }

    static List<Integer> asList(int[] a) {
        return java.util.Arrays.stream(a).boxed().toList();
    }
}
