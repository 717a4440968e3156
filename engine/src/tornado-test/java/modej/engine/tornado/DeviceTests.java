package modej.engine.tornado;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.SplittableRandom;

import modej.engine.graph.Buffer;
import modej.engine.graph.Task;

/** What the tests of the device kernels share: random buffers, and checking that a task is replaced. */
final class DeviceTests {

    private DeviceTests() {
    }

    /** A buffer of n floats uniform in (−range, range). */
    static Buffer.F32 random(String name, int n, SplittableRandom r, double range) {
        Buffer.F32 b = new Buffer.F32(name, n);
        for (int i = 0; i < n; i++) {
            b.data()[i] = (float) r.nextDouble(-range, range);
        }
        return b;
    }

    /** Fails unless {@link DeviceKernels} replaces {@code t}'s kernel (it would not with -Dmodej.tornado.deviceKernels=false). */
    static void assertReplaced(Task t) {
        assertNotNull(DeviceKernels.of(t.kernel(), arguments(t)), t.name() + " is not replaced by a device kernel"
                + " (is -D" + DeviceKernels.PROPERTY + "=false set?)");
    }

    /** The task's arguments as TornadoVM takes them: arrays for buffers, then offset 0 and the task's count. */
    private static Object[] arguments(Task t) {
        Object[] args = new Object[t.args().size() + 2];
        for (int i = 0; i < t.args().size(); i++) {
            args[i] = t.args().get(i) instanceof Buffer b ? b.array() : t.args().get(i);
        }
        args[args.length - 2] = 0;
        args[args.length - 1] = t.work();
        return args;
    }
}
