package modej.engine.tornado;

/**
 * Device tasks that do nothing, so that a task graph has a task that uses one buffer: TornadoVM
 * copies a buffer to the device only for a graph whose tasks use it. {@link TornadoBackend} keeps
 * one small graph per buffer, {@code transferToDevice(EVERY_EXECUTION, buffer)} plus one of these,
 * and runs it when the host has written that buffer. They are no kernels of the model.
 */
public final class Upload {

    private Upload() {
    }

    /** buffer (n ≥ 1), left as it is. */
    public static void f32(float[] buffer) {
        buffer[0] = buffer[0];
    }

    /** buffer (n ≥ 1), left as it is. */
    public static void i32(int[] buffer) {
        buffer[0] = buffer[0];
    }
}
