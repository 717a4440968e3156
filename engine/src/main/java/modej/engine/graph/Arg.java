package modej.engine.graph;

/**
 * One argument of a task, typed by the kernel parameter it fills: a {@link Buffer.F32} for a
 * {@code float[]}, a {@link Buffer.I32} for an {@code int[]}, {@link #i32(int)} for an {@code int}
 * and {@link #f32(float)} for a {@code float}. With these types {@link Graph#task} lets javac check
 * every argument against the kernel's parameter at the same position.
 *
 * @param <T> the kernel's parameter type ({@code float[]}, {@code int[]}, {@code Integer} for
 *            {@code int}, {@code Float} for {@code float})
 */
public sealed interface Arg<T> permits Buffer.F32, Buffer.I32, Arg.Int, Arg.Real {

    /** An {@code int} argument, fixed when the task is recorded. */
    static Int i32(int value) {
        return new Int(value);
    }

    /** A {@code float} argument, fixed when the task is recorded. */
    static Real f32(float value) {
        return new Real(value);
    }

    /** An {@code int} argument. */
    record Int(int value) implements Arg<Integer> {
    }

    /** A {@code float} argument. */
    record Real(float value) implements Arg<Float> {
    }
}
