package modej.tasks.experiment;

import modej.model.gpt.GptConfig;

/**
 * Pretraining the backbone, as {@code ./modej pretrain} would; every field has a default.
 *
 * @param corpus          corpus spec (default {@code english})
 * @param preset          model size, {@code tiny} or {@code small} (default {@code tiny})
 * @param layers          overrides the preset's layers
 * @param width           overrides the preset's width
 * @param heads           overrides the preset's heads
 * @param context         overrides the preset's context length
 * @param steps           training steps (default 300)
 * @param batch           sequences per step (default 8)
 * @param seq             tokens per sequence (default: the context length)
 * @param lr              peak learning rate (default 1e-3)
 * @param minLr           learning rate at the end of the cosine decay (default 1e-4)
 * @param warmupSteps     linear warm-up steps (default 30)
 * @param weightDecay     AdamW weight decay on matrices (default 0.1)
 * @param validation      held-out fraction of the corpus (default 0.05)
 * @param evalBatches     validation batches at the end (default 4)
 * @param checkpointEvery save every N steps, so that an interrupted pretraining resumes (default 100)
 * @param seed            seed of weights and batches (default 1337)
 */
public record PretrainSpec(String corpus, String preset, Integer layers, Integer width, Integer heads, Integer context,
                           Integer steps, Integer batch, Integer seq, Float lr, Float minLr, Integer warmupSteps,
                           Float weightDecay, Double validation, Integer evalBatches, Integer checkpointEvery, Long seed) {

    public PretrainSpec {
        corpus = corpus == null ? "english" : corpus;
        preset = preset == null ? "tiny" : preset;
        if (!GptConfig.PRESETS.containsKey(preset)) {
            throw new IllegalArgumentException("preset: unknown '" + preset + "'; known: "
                    + GptConfig.PRESETS.keySet().stream().sorted().toList());
        }
        GptConfig base = GptConfig.preset(preset);
        layers = ConfigValues.positive("layers", layers, base.layers());
        width = ConfigValues.positive("width", width, base.width());
        heads = ConfigValues.positive("heads", heads, base.heads());
        context = ConfigValues.positive("context", context, base.context());
        if (width % heads != 0) {
            throw new IllegalArgumentException("heads: " + heads + " does not divide width " + width);
        }
        steps = ConfigValues.positive("steps", steps, 300);
        batch = ConfigValues.positive("batch", batch, 8);
        seq = ConfigValues.positive("seq", seq, context);
        if (seq > context) {
            throw new IllegalArgumentException("seq: " + seq + " exceeds the context length " + context);
        }
        lr = lr == null ? 1e-3f : lr;
        minLr = minLr == null ? 1e-4f : minLr;
        if (!(lr > 0) || !(minLr >= 0) || minLr > lr) {
            throw new IllegalArgumentException("lr: need lr > 0 and 0 <= minLr <= lr, got lr " + lr + ", minLr " + minLr);
        }
        warmupSteps = ConfigValues.atLeast("warmupSteps", warmupSteps, 30, 0);
        weightDecay = weightDecay == null ? 0.1f : weightDecay;
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("weightDecay: must be >= 0, got " + weightDecay);
        }
        validation = validation == null ? 0.05 : validation;
        if (!(validation > 0 && validation < 1)) {
            throw new IllegalArgumentException("validation: must be in (0, 1), got " + validation);
        }
        evalBatches = ConfigValues.positive("evalBatches", evalBatches, 4);
        checkpointEvery = ConfigValues.atLeast("checkpointEvery", checkpointEvery, 100, 0);
        seed = seed == null ? 1337L : seed;
    }

    /** The model shape: the preset with the overrides. */
    public GptConfig model() {
        GptConfig base = GptConfig.preset(preset);
        return new GptConfig(base.vocab(), context, layers, heads, width, base.tiedHead());
    }
}
