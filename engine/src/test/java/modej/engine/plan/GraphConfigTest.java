package modej.engine.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;

class GraphConfigTest {

    static final List<String> GRAPHS = List.of("b0.backbone", "b0.expert.code", "b0.expert.math", "b1.backbone",
            "b1.expert.code", "b1.expert.math");

    @Test
    void placesNamedAndGlobbedGraphs(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("plan.properties");
        Files.writeString(f, "# experts on the second worker\nb*.expert.*.device = jvm:1\nb0.backbone.device=jvm:0\n");
        ExecutionPlan.Placement p = GraphConfig.read(f).placement(GRAPHS, "jvm", 2);
        Buffer.I32 x = new Buffer.I32("x", 1);
        List<Graph> stage = List.of(ExecutionPlanTest.probe("b0.backbone", x, 1), ExecutionPlanTest.probe("b0.expert.code", x, 9),
                ExecutionPlanTest.probe("b0.expert.math", x, 9));
        assertEquals(List.of(0, 1, 1), ExecutionPlanTest.asList(p.devices(stage, 2)));
    }

    @Test
    void workersLimitHowAGraphIsSplit() {
        Buffer.I32 a = new Buffer.I32("a", 64), b = new Buffer.I32("b", 64);
        Graph one = new Graph("b0.backbone"), two = new Graph("b0.expert.code");
        one.task("probe", 64, ExecutionPlanTest.ThreadProbe::recordEach, a);
        two.task("probe", 64, ExecutionPlanTest.ThreadProbe::recordEach, b);
        ExecutionPlan.Placement p = GraphConfig.of(Map.of("b0.backbone.workers", "1")).placement(GRAPHS, "jvm", 2);
        try (modej.engine.jvm.JvmBackend be = new modej.engine.jvm.JvmBackend(2, true, false)) {
            for (var e : new ExecutionPlan(Strategy.SPMD, p).compile(List.of(List.of(one), List.of(two)), be)) {
                e.run();
            }
        }
        int caller = (int) Thread.currentThread().threadId();
        assertTrue(java.util.Arrays.stream(a.data()).allMatch(t -> t == caller), "workers=1 runs on the calling worker only");
        assertTrue(java.util.Arrays.stream(b.data()).anyMatch(t -> t != caller), "an unlimited graph uses both workers");
        assertThrows(IllegalArgumentException.class,
                () -> GraphConfig.of(Map.of("b0.backbone.workers", "3")).placement(GRAPHS, "jvm", 2));
    }

    @Test
    void unknownGraphDevicePropertyAndFileAreRejectedWithTheValidNames(@TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GraphConfig.of(Map.of("b9.backbone.device", "jvm:0")).placement(GRAPHS, "jvm", 2));
        assertTrue(e.getMessage().contains("b9.backbone") && e.getMessage().contains("b0.expert.code"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> GraphConfig.of(Map.of("b0.backbone.device", "gpu:0")).placement(GRAPHS, "jvm", 2));
        assertTrue(e.getMessage().contains("gpu:0") && e.getMessage().contains("jvm:0, jvm:1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> GraphConfig.of(Map.of("b0.backbone.colour", "red")).placement(GRAPHS, "jvm", 2));
        assertTrue(e.getMessage().contains("unknown property"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GraphConfig.read(dir.resolve("missing.properties")));
        assertTrue(e.getMessage().contains("missing.properties"), e.getMessage());
    }
}
