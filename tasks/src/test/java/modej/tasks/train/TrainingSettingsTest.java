package modej.tasks.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import modej.model.param.AdamWSettings;

/**
 * The settings' text is saved in every checkpoint ({@code modej.settings}, {@code modej.train.settings})
 * and compared as text on resume: it must stay that of the records these replaced
 * ({@code Pretrainer.Settings} with ten fields, {@code Adaptation.Settings}), or runs stopped before
 * could not continue. The expected strings were printed by those records (main 9f1df6d).
 */
class TrainingSettingsTest {

    @Test
    void adaptationSettingsTextIsTheOldRecords() {
        TrainingSettings s = new TrainingSettings(8, 32, 300, new LearningRate(1e-3f, 1e-4f, 30, 300), AdamWSettings.DEFAULT,
                0, 8, 1337L, 0f);
        assertEquals("Settings[batch=8, seq=32, steps=300, lr=LearningRate[peak=0.001, floor=1.0E-4, warmupSteps=30, "
                + "totalSteps=300], adamw=AdamWSettings[beta1=0.9, beta2=0.95, eps=1.0E-8, weightDecay=0.1], evalEvery=0, "
                + "evalBatches=8, seed=1337, gradClip=0.0]", s.toString());
    }

    @Test
    void pretrainSettingsTextIsTheOldRecords() {
        TrainingSettings t = new TrainingSettings(4, 16, 12, new LearningRate(3e-3f, 3e-4f, 2, 12),
                new AdamWSettings(0.9f, 0.95f, 1e-8f, 0.05f), 6, 2, 7L, 1.5f);
        assertEquals("Settings[batch=4, seq=16, steps=12, lr=LearningRate[peak=0.003, floor=3.0E-4, warmupSteps=2, "
                + "totalSteps=12], adamw=AdamWSettings[beta1=0.9, beta2=0.95, eps=1.0E-8, weightDecay=0.05], evalEvery=6, "
                + "evalBatches=2, checkpointEvery=4, seed=7, gradClip=1.5]", new Pretrainer.Settings(t, 4).toString());
    }

    @Test
    void badValuesAreRefusedWithTheOptionsName() {
        LearningRate lr = new LearningRate(1e-3f, 1e-4f, 1, 10);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new TrainingSettings(0, 16, 10, lr, AdamWSettings.DEFAULT,
                0, 1, 1, 0f)).getMessage().contains("batch, seq and steps must be >= 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new TrainingSettings(2, 16, 10, lr, AdamWSettings.DEFAULT,
                0, 0, 1, 0f)).getMessage().contains("eval-batches >= 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new TrainingSettings(2, 16, 10, lr, AdamWSettings.DEFAULT,
                0, 1, 1, Float.NaN)).getMessage().contains("--grad-clip must be a finite number >= 0"));
        TrainingSettings ok = new TrainingSettings(2, 16, 10, lr, AdamWSettings.DEFAULT, 0, 1, 1, 0f);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Pretrainer.Settings(ok, -1))
                .getMessage().contains("checkpoint-every must be >= 0"));
    }
}
