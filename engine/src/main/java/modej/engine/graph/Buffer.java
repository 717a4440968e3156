package modej.engine.graph;

import java.util.Arrays;

/**
 * A named array that tasks read and write. Buffers are allocated once for a shape and never
 * resized; a backend may mirror each one on a device (TornadoVM keeps them there between runs).
 */
public sealed interface Buffer permits Buffer.F32, Buffer.I32 {

    String name();

    int length();

    /** The raw array, as the kernels take it. */
    Object array();

    /** A float32 buffer. */
    record F32(String name, float[] data) implements Buffer, Arg<float[]> {
        public F32(String name, int length) {
            this(name, new float[length]);
        }

        @Override public int length() { return data.length; }
        @Override public Object array() { return data; }
        @Override public String toString() { return name + "[" + data.length + "]"; }
        @Override public boolean equals(Object o) { return this == o; }
        @Override public int hashCode() { return System.identityHashCode(this); }

        public void zero() { Arrays.fill(data, 0f); }
    }

    /** An int32 buffer (token ids, targets, step counters). */
    record I32(String name, int[] data) implements Buffer, Arg<int[]> {
        public I32(String name, int length) {
            this(name, new int[length]);
        }

        @Override public int length() { return data.length; }
        @Override public Object array() { return data; }
        @Override public String toString() { return name + "[" + data.length + "]"; }
        @Override public boolean equals(Object o) { return this == o; }
        @Override public int hashCode() { return System.identityHashCode(this); }
    }
}
