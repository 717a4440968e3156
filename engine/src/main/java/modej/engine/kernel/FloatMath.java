package modej.engine.kernel;

/**
 * Elementary functions for kernels, in float arithmetic only. {@code (float) Math.exp(x)} widens x
 * to double, and TornadoVM compiles it as written: a double-precision {@code exp} on the device,
 * which a GPU runs at a fraction of its float rate (kernel rule 11). These helpers are plain
 * float multiplies and adds, comparisons and an int conversion (no bit cast: TornadoVM 5.2's
 * OpenCL backend cannot compile {@code Float.intBitsToFloat}), so the JVM and every TornadoVM
 * backend run the same arithmetic, inlined into the kernel that calls them.
 *
 * <p>Package-private: kernels call them, they are no kernels themselves.
 */
final class FloatMath {

    private static final float LOG2E = 1.44269504088896341f;
    /** ln 2 split in two, the high part with few enough bits that n·LN2_HI is exact for |n| ≤ 127. */
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;

    private FloatMath() {
    }

    /**
     * e^x in float, within 1 ulp (FloatMathTest; Cephes expf: x = n·ln 2 + r with |r| ≤ ln2/2, e^r by a degree-6
     * polynomial, times 2ⁿ from {@link #pow2}). Arguments below −87 give 0, as a float
     * underflows (so a softmax weight far below the others is exactly 0, as with
     * {@code (float) Math.exp}); above 87, e^87 instead of overflowing. NaN stays NaN on the JVM.
     *
     * <p>n is found with an int conversion of a positive number ({@code (int) (y + 127.5f) − 127}
     * = round(y) for |y| ≤ 125.6), not with the add-and-subtract-2²³ trick, which a device compiler
     * with relaxed float math ({@code -cl-fast-relaxed-math}, TornadoVM's default) may fold away.
     */
    static float exp(float x) {
        float arg = x;
        x = Math.min(87f, Math.max(-87f, x));
        int n = (int) (x * LOG2E + 127.5f) - 127;
        float fn = n;
        float r = x - fn * LN2_HI;
        r = r - fn * LN2_LO;
        float p = 1.9875691500E-4f * r + 1.3981999507E-3f;
        p = p * r + 8.3334519073E-3f;
        p = p * r + 4.1665795894E-2f;
        p = p * r + 1.6666665459E-1f;
        p = p * r + 5.0000001201E-1f;
        p = p * (r * r) + r + 1f;
        return arg < -87f ? 0f : p * pow2(n); // NaN compares false: stays NaN
    }

    /**
     * 2ⁿ for |n| ≤ 126, exact: the product of the powers 2^(±2^k) that the bits of |n| select,
     * each an exact normal float, as is every partial product.
     */
    private static float pow2(int n) {
        int m = n < 0 ? -n : n;
        float f = n < 0 ? 0.5f : 2f; // 2^(±1)
        float q = (m & 1) != 0 ? f : 1f;
        f = f * f;                   // 2^(±2)
        q = (m & 2) != 0 ? q * f : q;
        f = f * f;                   // 2^(±4)
        q = (m & 4) != 0 ? q * f : q;
        f = f * f;                   // 2^(±8)
        q = (m & 8) != 0 ? q * f : q;
        f = f * f;                   // 2^(±16)
        q = (m & 16) != 0 ? q * f : q;
        f = f * f;                   // 2^(±32)
        q = (m & 32) != 0 ? q * f : q;
        f = f * f;                   // 2^(±64)
        return (m & 64) != 0 ? q * f : q;
    }
}
