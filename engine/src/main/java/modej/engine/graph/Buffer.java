package modej.engine.graph;

import java.util.Arrays;

/**
 * A named array that tasks read and write. Buffers are allocated once for a shape and never
 * resized; a backend may mirror each one on a device (TornadoVM keeps them there between runs).
 *
 * <p>Host code reaches the contents through {@code data()}; backends through {@link #array()}. A
 * backend that emulates device memory (the JVM backend with {@code modej.jvm.trackTransfers}) is
 * told of every {@code data()} call, to catch a host read of a buffer a kernel wrote since the last
 * {@code toHost}.
 */
public sealed interface Buffer permits Buffer.F32, Buffer.I32 {

    String name();

    int length();

    /** The raw array, as the kernels take it; for backends (host code uses {@code data()}). */
    Object array();

    /** Tells {@code watcher} of every host access ({@code data()}) from now on. */
    void watch(HostAccess watcher);

    /** Stops telling {@code watcher}. */
    void unwatch(HostAccess watcher);

    /** Told of each host access to a watched buffer. */
    interface HostAccess {
        void accessed(Buffer buffer);
    }

    /** A float32 buffer. Equal only to itself. */
    final class F32 implements Buffer, Arg<float[]> {
        private final String name;
        private final float[] data;
        private volatile HostAccess[] watchers; // null: no watcher

        public F32(String name, float[] data) {
            this.name = name;
            this.data = data;
        }

        public F32(String name, int length) {
            this(name, new float[length]);
        }

        @Override public String name() { return name; }
        @Override public int length() { return data.length; }
        @Override public Object array() { return data; }
        @Override public String toString() { return name + "[" + data.length + "]"; }

        /** The contents, for host code to read or write. */
        public float[] data() {
            accessed(this, watchers);
            return data;
        }

        public void zero() { Arrays.fill(data(), 0f); }

        @Override public synchronized void watch(HostAccess w) { watchers = with(watchers, w); }
        @Override public synchronized void unwatch(HostAccess w) { watchers = without(watchers, w); }
    }

    /** An int32 buffer (token ids, targets, step counters). Equal only to itself. */
    final class I32 implements Buffer, Arg<int[]> {
        private final String name;
        private final int[] data;
        private volatile HostAccess[] watchers; // null: no watcher

        public I32(String name, int[] data) {
            this.name = name;
            this.data = data;
        }

        public I32(String name, int length) {
            this(name, new int[length]);
        }

        @Override public String name() { return name; }
        @Override public int length() { return data.length; }
        @Override public Object array() { return data; }
        @Override public String toString() { return name + "[" + data.length + "]"; }

        /** The contents, for host code to read or write. */
        public int[] data() {
            accessed(this, watchers);
            return data;
        }

        @Override public synchronized void watch(HostAccess w) { watchers = with(watchers, w); }
        @Override public synchronized void unwatch(HostAccess w) { watchers = without(watchers, w); }
    }

    private static void accessed(Buffer b, HostAccess[] watchers) {
        if (watchers != null) {
            for (HostAccess w : watchers) {
                w.accessed(b);
            }
        }
    }

    private static HostAccess[] with(HostAccess[] all, HostAccess w) {
        if (all == null) {
            return new HostAccess[] {w};
        }
        HostAccess[] out = Arrays.copyOf(all, all.length + 1);
        out[all.length] = w;
        return out;
    }

    private static HostAccess[] without(HostAccess[] all, HostAccess w) {
        HostAccess[] out = all == null ? null : Arrays.stream(all).filter(x -> x != w).toArray(HostAccess[]::new);
        return out == null || out.length == 0 ? null : out;
    }
}
