package modej.model.checkpoint;

import java.util.Arrays;
import java.util.Objects;

/**
 * A named tensor as a checkpoint stores it: an element type, a shape and a flat row-major array
 * whose length is the product of the shape ({@code 1} for the scalar shape {@code []}).
 *
 * <p>The array is held, not copied (checkpoints can be hundreds of MB); the shape is copied.
 * Equality compares name, shape and every element bit for bit (NaN payloads and -0.0 included).
 */
public sealed interface TensorData permits TensorData.F32, TensorData.I32, TensorData.I64 {

    /** Name of the tensor in the checkpoint, never empty. */
    String name();

    /** Element type. */
    DType dtype();

    /** Dimensions, outermost first (a copy). */
    long[] shape();

    /** Number of elements: the product of the shape. */
    int numel();

    /** The flat array: {@code float[]}, {@code int[]} or {@code long[]} according to {@link #dtype()}. */
    Object array();

    /** A float32 tensor: {@code new TensorData.F32("wte", wte, V, C)} for wte (V, C). */
    record F32(String name, float[] data, long... shape) implements TensorData {
        /** Checks that the name is non-empty and the shape's product is {@code data.length}. */
        public F32 {
            shape = checkedShape(name, shape, Objects.requireNonNull(data, "data").length);
        }

        @Override public DType dtype() { return DType.F32; }
        @Override public long[] shape() { return shape.clone(); }
        @Override public int numel() { return data.length; }
        @Override public Object array() { return data; }
        @Override public int hashCode() { return hash(this); }
        @Override public String toString() { return describe(this); }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof F32 t) || !sameHead(this, t) || data.length != t.data.length) {
                return false;
            }
            for (int i = 0; i < data.length; i++) {
                if (Float.floatToRawIntBits(data[i]) != Float.floatToRawIntBits(t.data[i])) {
                    return false;
                }
            }
            return true;
        }
    }

    /** An int32 tensor (token ids, step counters). */
    record I32(String name, int[] data, long... shape) implements TensorData {
        /** Checks that the name is non-empty and the shape's product is {@code data.length}. */
        public I32 {
            shape = checkedShape(name, shape, Objects.requireNonNull(data, "data").length);
        }

        @Override public DType dtype() { return DType.I32; }
        @Override public long[] shape() { return shape.clone(); }
        @Override public int numel() { return data.length; }
        @Override public Object array() { return data; }
        @Override public int hashCode() { return hash(this); }
        @Override public String toString() { return describe(this); }

        @Override
        public boolean equals(Object o) {
            return o instanceof I32 t && sameHead(this, t) && Arrays.equals(data, t.data);
        }
    }

    /** An int64 tensor (data-loader positions, RNG state, counts). */
    record I64(String name, long[] data, long... shape) implements TensorData {
        /** Checks that the name is non-empty and the shape's product is {@code data.length}. */
        public I64 {
            shape = checkedShape(name, shape, Objects.requireNonNull(data, "data").length);
        }

        @Override public DType dtype() { return DType.I64; }
        @Override public long[] shape() { return shape.clone(); }
        @Override public int numel() { return data.length; }
        @Override public Object array() { return data; }
        @Override public int hashCode() { return hash(this); }
        @Override public String toString() { return describe(this); }

        @Override
        public boolean equals(Object o) {
            return o instanceof I64 t && sameHead(this, t) && Arrays.equals(data, t.data);
        }
    }

    /** The product of {@code shape}, or -1 when it overflows a long or a dimension is negative. */
    static long countElements(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                return -1;
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                return -1;
            }
        }
        return n;
    }

    private static long[] checkedShape(String name, long[] shape, int length) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("tensor name is empty");
        }
        Objects.requireNonNull(shape, "shape of tensor " + name);
        long n = countElements(shape);
        if (n != length) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
                    + (n < 0 ? " is invalid" : " holds " + n + " elements") + " but the data has " + length);
        }
        return shape.clone();
    }

    private static boolean sameHead(TensorData a, TensorData b) {
        return a.name().equals(b.name()) && Arrays.equals(a.shape(), b.shape());
    }

    private static int hash(TensorData t) {
        return Objects.hash(t.dtype(), t.name(), Arrays.hashCode(t.shape()));
    }

    private static String describe(TensorData t) {
        return t.dtype() + " " + t.name() + Arrays.toString(t.shape());
    }
}
