package modej.tasks.experiment.report;

import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.StatUtils;
import org.apache.commons.math3.stat.inference.TTest;

/**
 * Statistics over seeds, with Apache Commons Math: a mean with its 95% confidence interval from
 * Student's t, and the two-sided paired t-test between two methods' results paired by seed.
 */
public final class Statistics {

    /**
     * A mean over {@code n} values with the half-width of its 95% confidence interval,
     * {@code t(0.975, n−1) · sd / √n}; NaN half-width for a single value.
     *
     * @param n         values
     * @param mean      their mean
     * @param sd        sample standard deviation (n − 1 in the denominator); NaN for one value
     * @param halfWidth half-width of the 95% interval
     */
    public record Interval(int n, double mean, double sd, double halfWidth) {

        public double low() {
            return mean - halfWidth;
        }

        public double high() {
            return mean + halfWidth;
        }
    }

    private Statistics() {
    }

    /** Mean and 95% Student-t confidence interval of {@code values}. */
    public static Interval meanInterval(double[] values) {
        int n = values.length;
        if (n == 0) {
            return new Interval(0, Double.NaN, Double.NaN, Double.NaN);
        }
        double mean = StatUtils.mean(values);
        if (n == 1) {
            return new Interval(1, mean, Double.NaN, Double.NaN);
        }
        double sd = Math.sqrt(StatUtils.variance(values));
        double t = new TDistribution(n - 1).inverseCumulativeProbability(0.975);
        return new Interval(n, mean, sd, t * sd / Math.sqrt(n));
    }

    /**
     * Two-sided p-value of the paired t-test of {@code a} against {@code b} (entry i of each from the
     * same seed); NaN with fewer than 2 pairs or when the differences do not vary (the test is then
     * undefined).
     */
    public static double pairedP(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("paired test: " + a.length + " values against " + b.length);
        }
        if (a.length < 2) {
            return Double.NaN;
        }
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b[i];
        }
        if (StatUtils.variance(d) == 0) {
            return Double.NaN;
        }
        return new TTest().pairedTTest(a, b);
    }
}
