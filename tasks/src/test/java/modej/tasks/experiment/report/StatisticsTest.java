package modej.tasks.experiment.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The report's statistics against values worked out by hand. */
class StatisticsTest {

    @Test
    void meanAndConfidenceIntervalOfThreeValues() {
        // mean 0.6; sd = sqrt((0.01 + 0 + 0.01) / 2) = 0.1; half-width = t(0.975, 2) · 0.1 / sqrt(3)
        Statistics.Interval x = Statistics.meanInterval(new double[]{0.5, 0.6, 0.7});
        assertEquals(3, x.n());
        assertEquals(0.6, x.mean(), 1e-12);
        assertEquals(0.1, x.sd(), 1e-12);
        double t = 4.302653; // Student t quantile, 0.975, 2 degrees of freedom (tables)
        assertEquals(t * 0.1 / Math.sqrt(3), x.halfWidth(), 1e-6);
        assertEquals(0.248414, x.halfWidth(), 1e-6);
        assertEquals(0.6 - 0.248414, x.low(), 1e-6);
    }

    @Test
    void oneValueHasNoInterval() {
        Statistics.Interval x = Statistics.meanInterval(new double[]{0.42});
        assertEquals(0.42, x.mean());
        assertTrue(Double.isNaN(x.halfWidth()));
    }

    @Test
    void pairedTTestOnAHandExample() {
        double[] a = {0.60, 0.55, 0.70, 0.65};
        double[] b = {0.50, 0.52, 0.61, 0.60};
        // differences 0.10, 0.03, 0.09, 0.05: mean 0.0675, sd = sqrt(0.003275 / 3), t = mean / (sd / 2)
        double sd = Math.sqrt(0.003275 / 3);
        double t = 0.0675 / (sd / 2);
        assertEquals(4.08591, t, 1e-5);
        // Student t with 3 degrees of freedom has a closed form: with θ = atan(t / √3),
        // P(|T| > t) = 1 − (2/π)(θ + sin θ cos θ).
        double theta = Math.atan(t / Math.sqrt(3));
        double p = 1 - 2 / Math.PI * (theta + Math.sin(theta) * Math.cos(theta));
        assertEquals(0.026489, p, 1e-6); // also what SciPy's ttest_rel gives for a and b
        assertEquals(p, Statistics.pairedP(a, b), 1e-9);
        assertEquals(p, Statistics.pairedP(b, a), 1e-9, "two-sided: symmetric");
    }

    @Test
    void pairedTTestIsUndefinedWithoutPairsOrVariance() {
        assertTrue(Double.isNaN(Statistics.pairedP(new double[]{0.5}, new double[]{0.4})));
        assertTrue(Double.isNaN(Statistics.pairedP(new double[]{0.5, 0.6}, new double[]{0.4, 0.5})), "constant differences");
    }
}
