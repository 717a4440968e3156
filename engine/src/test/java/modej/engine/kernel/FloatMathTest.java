package modej.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link FloatMath#exp} against {@link Math#exp} in double, the independent reference. */
class FloatMathTest {

    /** Worst error in units of the float result's last place, over x in [lo, hi] in n steps. */
    static double worstUlps(float lo, float hi, int n) {
        double worst = 0;
        for (int i = 0; i <= n; i++) {
            float x = lo + (hi - lo) * i / n;
            double exact = Math.exp(x);
            float got = FloatMath.exp(x);
            worst = Math.max(worst, Math.abs(got - exact) / Math.ulp((float) exact));
        }
        return worst;
    }

    @Test
    void expIsWithinOneUlpOverItsWholeRange() {
        double worst = worstUlps(-87f, 87f, 2_000_000);
        System.out.printf("FloatMath.exp: worst error %.2f ulp over [-87, 87]%n", worst);
        assertTrue(worst <= 1.0, "worst error " + worst + " ulp");
        // softmax arguments: (-20, 0], finely
        assertTrue(worstUlps(-20f, 0f, 1_000_000) <= 1.0);
    }

    @Test
    void expIsExactWhereExpIsAPowerOfTwoOrOne() {
        assertEquals(1f, FloatMath.exp(0f));
        assertEquals(1f, FloatMath.exp(-0f));
        assertEquals((float) Math.E, FloatMath.exp(1f), Math.ulp((float) Math.E));
    }

    @Test
    void expUnderflowsToZeroClampsAboveAndKeepsNaN() {
        float low = FloatMath.exp(-87f);
        assertTrue(low >= Float.MIN_NORMAL, "e^-87 = " + low);
        assertEquals(0f, FloatMath.exp(Math.nextDown(-87f)));
        assertEquals(0f, FloatMath.exp(-1000f));
        assertEquals(0f, FloatMath.exp(Float.NEGATIVE_INFINITY));
        float high = FloatMath.exp(87f);
        assertEquals(high, FloatMath.exp(1000f));
        assertTrue(Float.isFinite(high) && high > 6e37f, "e^87 = " + high);
        assertTrue(Float.isNaN(FloatMath.exp(Float.NaN)));
    }

    @Test
    void expIsMonotoneAcrossTheReductionSteps() {
        // x = (n + 1/2)·ln 2 is where the reduction switches from n to n + 1
        for (int n = -120; n <= 120; n++) {
            float x = (float) ((n + 0.5) * Math.log(2));
            float below = Math.nextDown(x), above = Math.nextUp(x);
            assertTrue(FloatMath.exp(below) <= FloatMath.exp(x) && FloatMath.exp(x) <= FloatMath.exp(above),
                    "not monotone around " + x);
        }
    }
}
