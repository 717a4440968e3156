package modej.tasks.train;

import modej.model.param.AdamWSettings;

/**
 * What every training loop takes: the budget (steps × batch × seq tokens), the learning-rate
 * schedule, AdamW, validation during training, the seed and gradient clipping. Pretraining adds its
 * checkpoint interval ({@link Pretrainer.Settings}); adaptation keeps its run state apart ({@link RunState}).
 *
 * @param evalEvery   validate every N steps; 0 = only at the end
 * @param evalBatches validation batches, at most
 * @param gradClip    largest global L2 norm of the gradients (larger ones are scaled down); 0 = no clipping
 */
public record TrainingSettings(int batch, int seq, int steps, LearningRate lr, AdamWSettings adamw, int evalEvery,
                               int evalBatches, long seed, float gradClip) {

    public TrainingSettings {
        if (batch < 1 || seq < 1 || steps < 1) {
            throw new IllegalArgumentException("batch, seq and steps must be >= 1");
        }
        if (evalEvery < 0 || evalBatches < 1) {
            throw new IllegalArgumentException("eval-every must be >= 0, eval-batches >= 1");
        }
        if (!(gradClip >= 0) || Float.isInfinite(gradClip)) {
            throw new IllegalArgumentException("--grad-clip must be a finite number >= 0 (0 = off), got " + gradClip);
        }
    }

    /**
     * The settings as saved in a checkpoint's {@code modej.train.settings} and compared on resume: the
     * text of the record this one replaced ({@code Adaptation.Settings}), so that runs stopped
     * before still continue. Do not change it.
     */
    @Override
    public String toString() {
        return "Settings[batch=" + batch + ", seq=" + seq + ", steps=" + steps + ", lr=" + lr + ", adamw=" + adamw
                + ", evalEvery=" + evalEvery + ", evalBatches=" + evalBatches + ", seed=" + seed + ", gradClip=" + gradClip + "]";
    }
}
