package modej.engine.jvm;

import java.lang.ref.WeakReference;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

import modej.engine.graph.Buffer;

/**
 * Device memory for the JVM backend in its transfer-tracking test mode
 * ({@code -Dmodej.jvm.trackTransfers=true}): every buffer a compiled graph uses gets a device copy
 * that the kernels read and write instead of the host's array, and that moves the way the
 * TornadoVM backend moves it. The host's contents go to the device before the first run that
 * uses the buffer and after {@code toDevice}; the device's come back on {@code toHost} (unless the
 * host announced newer contents) and on close. A missing transfer fails at once:
 * <ul>
 *   <li>a graph runs while one of its buffers holds host changes that no {@code toDevice}
 *       announced (the kernels would read the stale device copy);</li>
 *   <li>host code calls {@code data()} on a buffer a graph changed on the device since the last
 *       {@code toHost} (it would read stale contents);</li>
 *   <li>{@code toHost} would overwrite host changes that no {@code toDevice} announced.</li>
 * </ul>
 * Changes are found by comparing contents with what both sides held at the last transfer (a hash),
 * so reading without changing is never an error. Buffers are held weakly, like the plain JVM
 * backend, which keeps no buffer of a graph the caller dropped.
 */
final class DeviceCopies implements Buffer.HostAccess {

    /** One buffer's device copy. */
    static final class Copy {
        /** Weak: a graph's executable holds its buffers while it can run, nothing else must. */
        final WeakReference<Buffer> buffer;
        final String name;
        final Object device;
        /** The device takes the host's contents before the next run (nothing ran yet, or toDevice). */
        boolean hostNewer = true;
        /** The hash of the contents both sides held at the last transfer. */
        int agreed;
        /** The last graph that ran with this buffer since the last transfer, or null. */
        String ranIn;

        Copy(Buffer buffer) {
            this.buffer = new WeakReference<>(buffer);
            this.name = buffer.name();
            this.device = switch (buffer) {
                case Buffer.F32 f -> ((float[]) f.array()).clone();
                case Buffer.I32 n -> ((int[]) n.array()).clone();
            };
        }
    }

    /** Buffers are equal only to themselves, so this is an identity map with weak keys. */
    private final Map<Buffer, Copy> copies = new WeakHashMap<>();
    private boolean ran;

    /** The device copy of {@code b}, made on first use (with the host's contents to follow before the first run). */
    synchronized Copy of(Buffer b) {
        Copy c = copies.get(b);
        if (c == null) {
            c = new Copy(b);
            copies.put(b, c);
            b.watch(this);
        }
        return c;
    }

    /** Before graph {@code graph} runs with these buffers: send what the host announced, refuse what it did not. */
    synchronized void beforeRun(String graph, Copy[] used) {
        for (Copy c : used) {
            Object host = c.buffer.get().array(); // the graph that runs holds it
            if (c.hostNewer) {
                System.arraycopy(host, 0, c.device, 0, Array.getLength(host));
                c.agreed = hash(c.device);
                c.hostNewer = false;
            } else if (hash(host) != c.agreed) {
                throw new IllegalStateException("graph " + graph + " uses buffer " + c.name + ", which the host "
                        + "changed after the device last saw it, without toDevice: on a device the kernels would read "
                        + "the old contents");
            }
        }
        ran = true;
    }

    synchronized void afterRun(String graph, Copy[] used) {
        for (Copy c : used) {
            c.ranIn = graph;
        }
    }

    /** A host access ({@code data()}): refused while the device holds changes the host has not fetched. */
    @Override
    public synchronized void accessed(Buffer b) {
        Copy c = copies.get(b);
        if (c != null && c.ranIn != null) {
            if (!c.hostNewer && hash(c.device) != c.agreed) {
                throw new IllegalStateException("host code uses buffer " + b.name() + ", which graph " + c.ranIn
                        + " changed on the device, without toHost: on a device it would see the old contents");
            }
            c.ranIn = null; // the device copy is as agreed: no need to look again before the next run
        }
    }

    synchronized void toDevice(Buffer b) {
        Copy c = copies.get(b);
        if (c != null) {
            c.hostNewer = true;
        }
    }

    synchronized void toHost(Buffer b) {
        Copy c = copies.get(b);
        if (!ran || c == null || c.hostNewer) {
            return; // the host's contents are the newest (as on the TornadoVM backend)
        }
        if (hash(b.array()) != c.agreed) {
            throw new IllegalStateException("toHost(" + b.name() + ") would overwrite changes the host made after the "
                    + "device last saw it and did not send with toDevice");
        }
        System.arraycopy(c.device, 0, b.array(), 0, b.length());
        c.agreed = hash(c.device);
        c.ranIn = null;
    }

    /** Brings every device copy home (as closing a device backend does) and stops watching. */
    synchronized void close() {
        List<Buffer> all = new ArrayList<>(copies.keySet());
        for (Buffer b : all) {
            b.unwatch(this);
            Copy c = copies.get(b);
            if (ran && !c.hostNewer) {
                System.arraycopy(c.device, 0, b.array(), 0, b.length());
            }
        }
        copies.clear();
    }

    private static int hash(Object array) {
        return array instanceof float[] f ? Arrays.hashCode(f) : Arrays.hashCode((int[]) array);
    }
}
