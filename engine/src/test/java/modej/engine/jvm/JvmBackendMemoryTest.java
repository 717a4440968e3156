package modej.engine.jvm;

import static modej.engine.graph.Arg.f32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.ref.WeakReference;

import org.junit.jupiter.api.Test;

import modej.engine.device.Executable;
import modej.engine.device.Profile;
import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.engine.kernel.Scale;

/**
 * A backend that outlives many models (an experiment runs every method and seed on one) must not
 * keep the graphs it compiled, and with them their buffers, alive after the caller drops them.
 * Profiling keeps only the timings.
 */
class JvmBackendMemoryTest {

    @Test
    void droppedGraphsAndTheirBuffersCanBeCollected() throws InterruptedException {
        for (boolean profiling : new boolean[] {false, true}) {
            try (JvmBackend backend = new JvmBackend(2, true, profiling)) {
                WeakReference<float[]> buffer = compileAndRun(backend);
                for (int i = 0; i < 20 && buffer.get() != null; i++) {
                    System.gc();
                    Thread.sleep(10);
                }
                assertTrue(buffer.get() == null, "profiling " + profiling + ": the backend keeps a dropped graph's buffer alive");
                if (profiling) {
                    Profile.Entry e = backend.profile().entries().get(0);
                    assertEquals("scale", e.task());
                    assertEquals(3, e.runs(), "the timings outlive the graph");
                }
            }
        }
    }

    @Test
    void concurrentTakesOnlyItsOwnGraphs() {
        try (JvmBackend a = new JvmBackend(2, true, false); JvmBackend b = new JvmBackend(2, true, false)) {
            Executable mine = a.compile(graph(new float[8]));
            Executable theirs = b.compile(graph(new float[8]));
            a.concurrent(java.util.List.of(mine), new int[] {0}).run();
            var e = assertThrows(IllegalArgumentException.class,
                    () -> a.concurrent(java.util.List.of(mine, theirs), new int[] {0, 1}));
            assertEquals("graph 1 was not compiled by this backend", e.getMessage());
        }
    }

    private static WeakReference<float[]> compileAndRun(JvmBackend backend) {
        float[] big = new float[1 << 20];
        Executable e = backend.compile(graph(big));
        for (int i = 0; i < 3; i++) {
            e.run();
        }
        return new WeakReference<>(big);
    }

    private static Graph graph(float[] data) {
        Buffer.F32 x = new Buffer.F32("x", data), y = new Buffer.F32("y", data.length);
        return new Graph("g").task("scale", data.length, Scale::forward, y, x, f32(0.5f));
    }
}
