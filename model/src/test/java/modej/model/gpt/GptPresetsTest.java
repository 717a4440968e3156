package modej.model.gpt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The GPT-2 presets have GPT-2's published shapes and parameter counts. */
class GptPresetsTest {

    @Test
    void gpt2Shapes() {
        GptConfig small = GptConfig.preset("gpt2");
        assertEquals(new GptConfig(50257, 1024, 12, 12, 768, true), small);
        assertEquals(124_439_808L, small.parameterCount()); // GPT-2 "124M"
        GptConfig medium = GptConfig.preset("gpt2-medium");
        assertEquals(new GptConfig(50257, 1024, 24, 16, 1024, true), medium);
        assertEquals(354_823_168L, medium.parameterCount()); // GPT-2 "355M"
        assertEquals(64, medium.headSize());
    }

    @Test
    void memoryEstimateCountsWeightsAndTrainingState() {
        // 124,439,808 floats = 474.7 MiB; ×4 (weights, gradients, two moments) = 1,898.8 MiB
        assertEquals("weights 475 MiB, with gradients and AdamW moments 1,899 MiB (activations extra)",
                GptConfig.preset("gpt2").memoryEstimate());
    }
}
