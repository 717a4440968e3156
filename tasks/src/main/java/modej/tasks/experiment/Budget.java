package modej.tasks.experiment;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The training budget every method gets, and the optimiser settings they share. Every run trains
 * {@code steps × batch × seq} tokens: full fine-tuning and LoRA in {@code steps} steps on mixed data;
 * MoDE and BTX in {@code stage2Steps} steps of stage 2 on mixed data plus, for each of their E experts,
 * {@code (steps − stage2Steps) / E} steps of stage 1 on the expert's domain (the remainder of that
 * division goes to stage 2), so that its stages add up to the same tokens.
 *
 * @param steps       optimizer steps per run (default 300)
 * @param stage2Steps MoDE's and BTX's stage-2 steps, out of {@code steps} (default: half)
 * @param batch       sequences per step (default 8)
 * @param seq         tokens per sequence (default: the backbone's context length)
 * @param lr          peak learning rate (default 1e-3); a method's {@code lr} overrides it
 * @param minLr       learning rate at the end of the cosine decay (default 1e-4)
 * @param warmupSteps linear warm-up steps of a {@code steps}-step run (default 30); a MoDE stage
 *                    warms up for the same fraction of its own steps
 * @param weightDecay AdamW weight decay on matrices (default 0.1)
 * @param gradClip    largest global L2 norm of the gradients, larger ones are scaled down (default: off;
 *                    0 also means off and is stored as absent, so results made before it existed still match)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Budget(Integer steps, Integer stage2Steps, Integer batch, Integer seq, Float lr, Float minLr,
                     Integer warmupSteps, Float weightDecay, Float gradClip) {

    /** Every field at its default. */
    static final Budget DEFAULT = new Budget(null, null, null, null, null, null, null, null, null);

    public Budget {
        steps = ConfigValues.positive("steps", steps, 300);
        stage2Steps = ConfigValues.positive("stage2Steps", stage2Steps, Math.max(1, steps / 2));
        if (stage2Steps >= steps) {
            throw new IllegalArgumentException("stage2Steps: " + stage2Steps + " leaves no steps of " + steps
                    + " for MoDE's stage 1; must be < steps");
        }
        batch = ConfigValues.positive("batch", batch, 8);
        if (seq != null) {
            ConfigValues.positive("seq", seq, 1);
        }
        lr = ConfigValues.positive("lr", lr, 1e-3f);
        minLr = ConfigValues.nonNegative("minLr", minLr, 1e-4f);
        if (minLr > lr) {
            throw new IllegalArgumentException("minLr: " + minLr + " is above lr " + lr);
        }
        warmupSteps = ConfigValues.atLeast("warmupSteps", warmupSteps, 30, 0);
        weightDecay = ConfigValues.nonNegative("weightDecay", weightDecay, 0.1f);
        if (gradClip != null && (!(gradClip >= 0) || gradClip.isInfinite())) {
            throw new IllegalArgumentException("gradClip: must be a finite number >= 0 (0 = off), got " + gradClip);
        }
        gradClip = gradClip == null || gradClip == 0 ? null : gradClip;
    }

    /** The gradient clipping norm; 0 = off. */
    float clipNorm() {
        return gradClip == null ? 0f : gradClip;
    }

    /** Training tokens of every run: steps × batch × seq. */
    public long tokens() {
        return (long) steps * batch * seq;
    }

    /** This budget with {@code seq} filled in (the backbone's context when the file leaves it out). */
    Budget withSeq(int s) {
        return new Budget(steps, stage2Steps, batch, s, lr, minLr, warmupSteps, weightDecay, gradClip);
    }
}
