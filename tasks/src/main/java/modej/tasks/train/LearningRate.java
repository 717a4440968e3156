package modej.tasks.train;

/**
 * Linear warm-up to {@code peak}, then cosine decay to {@code floor} at {@code totalSteps}.
 * A pure function of the step, so a resumed run follows the same schedule.
 */
public record LearningRate(float peak, float floor, int warmupSteps, int totalSteps) {

    public LearningRate {
        if (!(peak > 0) || floor < 0 || floor > peak) {
            throw new IllegalArgumentException("learning rate: need 0 <= min-lr <= lr and lr > 0, got lr " + peak + ", min-lr " + floor);
        }
        if (warmupSteps < 0 || totalSteps < 1) {
            throw new IllegalArgumentException("warmup must be >= 0 and steps >= 1");
        }
    }

    /** The rate for 1-based step {@code step}. */
    public float at(int step) {
        if (step <= warmupSteps) {
            return peak * step / Math.max(1, warmupSteps);
        }
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        double cosine = 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress)));
        return (float) (floor + (peak - floor) * cosine);
    }
}
