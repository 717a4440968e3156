package modej.tasks.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import modej.engine.jvm.JvmBackend;
import modej.model.gpt.GptConfig;
import modej.model.gpt.GptParams;
import modej.model.gpt.Runner;
import modej.model.tokenizer.ByteTokenizer;
import modej.model.tokenizer.Gpt2Tokenizer;
import modej.model.tokenizer.Tokenizer;

/** Bits per byte counts the bytes of text the predicted tokens stand for, whatever the tokenizer. */
class BitsPerByteTest {

    @Test
    void bytesOfTextNotTokens() {
        Tokenizer gpt2 = Gpt2Tokenizer.INSTANCE;
        int[] tokens = gpt2.encode("The quick brown fox jumps over the lazy dog, again and again and again.");
        int seq = 4, window = seq + 1;
        GptParams params = new GptParams(new GptConfig(Gpt2Tokenizer.VOCAB, 8, 1, 2, 8, true)).init(1);
        try (JvmBackend backend = new JvmBackend(1, true, true)) {
            Runner runner = Runner.of(params, 2, seq, backend, null);
            Validation.Result r = Validation.run(runner, tokens, 2, seq, 100, t -> { }, gpt2);
            long expected = 0;
            int windows = tokens.length / window;
            for (int w = 0; w < windows; w++) {
                expected += gpt2.textBytes(tokens, w * window + 1, w * window + window);
            }
            assertEquals((long) windows * seq, r.rows());
            assertEquals(expected, r.textBytes());
            assertEquals(r.loss() * r.rows() / Math.log(2) / expected, r.bitsPerByte(), 1e-12);
            Validation.Result asBytes = Validation.run(runner, tokens, 2, seq, 100, t -> { }, ByteTokenizer.INSTANCE);
            assertEquals(asBytes.loss() / Math.log(2), asBytes.bitsPerByte(), 1e-12);
        }
    }
}
