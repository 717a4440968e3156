package modej.tasks.train;

/**
 * A training run stopped because its loss, its gradients or its weights stopped being finite. The
 * step that found it changed nothing: the weights are those after the step before, and no
 * checkpoint holding a non-finite value was written. The message is one line for the user.
 */
public final class TrainingDiverged extends RuntimeException {

    private final int step;

    public TrainingDiverged(int step, String message) {
        super(message);
        this.step = step;
    }

    /** The step at which the run stopped (not applied). */
    public int step() {
        return step;
    }
}
