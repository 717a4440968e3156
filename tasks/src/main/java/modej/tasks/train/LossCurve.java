package modej.tasks.train;

import java.util.ArrayList;
import java.util.List;

/**
 * The training loss as a curve: the mean over each window of {@code every} steps (the last window
 * may be shorter), kept in arrays sized up front, so that recording allocates nothing per step.
 */
public final class LossCurve implements TrainingLoop.StepListener {

    /**
     * One point of the curve.
     *
     * @param step the last step of the window
     * @param loss the mean training loss over the window's steps
     */
    public record Point(int step, double loss) {
    }

    private final int every, totalSteps;
    private final int[] steps;
    private final double[] means;
    private int points, inWindow;
    private double sum;

    /** A curve over steps 1…{@code totalSteps}, one point per {@code every} steps. */
    public LossCurve(int totalSteps, int every) {
        if (totalSteps < 1 || every < 1) {
            throw new IllegalArgumentException("loss curve: steps and every must be >= 1, got " + totalSteps + ", " + every);
        }
        this.every = every;
        this.totalSteps = totalSteps;
        int n = (totalSteps + every - 1) / every;
        this.steps = new int[n];
        this.means = new double[n];
    }

    @Override
    public void afterStep(int step, double loss) {
        sum += loss;
        inWindow++;
        if ((inWindow == every || step == totalSteps) && points < steps.length) {
            steps[points] = step;
            means[points] = sum / inWindow;
            points++;
            sum = 0;
            inWindow = 0;
        }
    }

    /** The points recorded so far. */
    public List<Point> points() {
        List<Point> out = new ArrayList<>(points);
        for (int i = 0; i < points; i++) {
            out.add(new Point(steps[i], means[i]));
        }
        return out;
    }
}
