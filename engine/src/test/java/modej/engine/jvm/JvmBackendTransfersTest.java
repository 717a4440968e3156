package modej.engine.jvm;

import static modej.engine.graph.Arg.f32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import modej.engine.device.Executable;
import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.engine.kernel.Scale;

/**
 * The transfer-tracking mode: device copies that move only on toDevice/toHost (and before the
 * first run, and on close), and a clear failure for each missing transfer.
 */
class JvmBackendTransfersTest {

    final Buffer.F32 x = new Buffer.F32("x", new float[] {1, 2, 3, 4}), y = new Buffer.F32("y", 4);

    /** y = 2·x. */
    Graph doubling() {
        return new Graph("double").task("scale", 4, Scale::forward, y, x, f32(2f));
    }

    static JvmBackend tracking() {
        return new JvmBackend(2, true, false, true);
    }

    @Test
    void theProtocolFollowedGivesTheHostTheKernelsResults() {
        try (JvmBackend be = tracking()) {
            assertTrue(be.tracksTransfers());
            Executable e = be.compile(doubling());
            x.data()[0] = 10;                     // before the first run: goes with it
            e.run();
            be.toHost(y);
            assertArrayEquals(new float[] {20, 4, 6, 8}, y.data());
            x.data()[1] = 5;
            be.toDevice(x);
            e.run();
            be.toHost(y);
            assertArrayEquals(new float[] {20, 10, 6, 8}, y.data());
            assertEquals(5f, x.data()[1], "a host read of a buffer the kernels only read needs no toHost");
        }
    }

    @Test
    void aHostWriteWithoutToDeviceFailsTheNextRun() {
        try (JvmBackend be = tracking()) {
            Executable e = be.compile(doubling());
            e.run();
            x.data()[2] = 7;
            IllegalStateException ex = assertThrows(IllegalStateException.class, e::run);
            assertTrue(ex.getMessage().contains("graph double uses buffer x, which the host changed"), ex.getMessage());
            assertTrue(ex.getMessage().contains("without toDevice"), ex.getMessage());
        }
    }

    @Test
    void aHostReadOfKernelOutputWithoutToHostFails() {
        try (JvmBackend be = tracking()) {
            be.compile(doubling()).run();
            IllegalStateException ex = assertThrows(IllegalStateException.class, () -> y.data());
            assertTrue(ex.getMessage().contains("buffer y, which graph double changed on the device, without toHost"),
                    ex.getMessage());
        }
    }

    @Test
    void withoutToHostTheHostKeepsTheOldContentsAsOnADevice() {
        try (JvmBackend be = tracking()) {
            be.compile(doubling()).run();
            assertArrayEquals(new float[4], (float[]) y.array(), "the kernels wrote the device copy only");
        }
        assertArrayEquals(new float[] {2, 4, 6, 8}, y.data(), "close brings the device copies home");
    }

    @Test
    void toHostRefusesToOverwriteUnsentHostChanges() {
        try (JvmBackend be = tracking()) {
            be.compile(doubling()).run();
            be.toHost(y);
            y.data()[0] = -1;
            IllegalStateException ex = assertThrows(IllegalStateException.class, () -> be.toHost(y));
            assertTrue(ex.getMessage().contains("toHost(y) would overwrite"), ex.getMessage());
        }
    }

    @Test
    void concurrentGraphsAreTrackedToo() {
        Buffer.F32 z = new Buffer.F32("z", 4);
        try (JvmBackend be = tracking()) {
            Executable both = be.concurrent(List.of(be.compile(doubling()),
                    be.compile(new Graph("triple").task("scale", 4, Scale::forward, z, x, f32(3f)))), new int[] {0, 1});
            both.run();
            assertThrows(IllegalStateException.class, () -> z.data());
            be.toHost(y, z);
            assertArrayEquals(new float[] {3, 6, 9, 12}, z.data());
            x.data()[0] = 0;
            assertThrows(IllegalStateException.class, both::run);
        }
    }

    @Test
    void offByDefaultTheHostArrayIsTheKernelsArray() {
        try (JvmBackend be = new JvmBackend(2, true, false, false)) {
            assertFalse(be.tracksTransfers());
            be.compile(doubling()).run();
            assertArrayEquals(new float[] {2, 4, 6, 8}, y.data());
        }
    }
}
