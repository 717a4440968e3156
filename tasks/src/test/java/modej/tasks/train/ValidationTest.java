package modej.tasks.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import modej.engine.jvm.JvmBackend;
import modej.model.gpt.GptConfig;
import modej.model.gpt.GptParams;
import modej.model.gpt.Runner;

/**
 * Capped evaluation takes windows spread evenly over the whole stream, and its means and standard
 * errors equal those computed here window by window on a runner of batch 1.
 */
class ValidationTest {

    private static final int SEQ = 8, BATCH = 2;

    @Test
    void cappedWindowsAreSpreadOverTheStreamWithTheirStandardError() {
        GptParams params = new GptParams(new GptConfig(256, SEQ, 1, 1, 8, true)).init(3);
        int[] tokens = new SplittableRandom(5).ints(1000, 0, 256).toArray();
        int available = tokens.length / (SEQ + 1); // 111 windows
        try (JvmBackend be = new JvmBackend(2, true, false)) {
            Runner runner = Runner.of(params, BATCH, SEQ, be, null);
            Runner one = Runner.of(params, 1, SEQ, be, null);
            Validation.Result r = Validation.run(runner, tokens, BATCH, SEQ, 3);
            assertEquals(6, r.windows());
            assertEquals(available, r.available());
            assertEquals(6L * SEQ, r.rows());
            int[] starts = {0, 18, 37, 55, 74, 92}; // j·111/6: from the start to the end of the stream
            double[] loss = new double[6], acc = new double[6];
            for (int j = 0; j < 6; j++) {
                int at = starts[j] * (SEQ + 1);
                Runner.Result w = one.evaluate(Arrays.copyOfRange(tokens, at, at + SEQ),
                        Arrays.copyOfRange(tokens, at + 1, at + SEQ + 1));
                loss[j] = w.loss();
                acc[j] = w.accuracy();
            }
            assertEquals(Arrays.stream(loss).average().orElseThrow(), r.loss(), 1e-5);
            assertEquals(Arrays.stream(acc).average().orElseThrow(), r.accuracy(), 1e-9);
            double[] batchLoss = {(loss[0] + loss[1]) / 2, (loss[2] + loss[3]) / 2, (loss[4] + loss[5]) / 2};
            double mean = Arrays.stream(batchLoss).average().orElseThrow(), ss = 0;
            for (double b : batchLoss) {
                ss += (b - mean) * (b - mean);
            }
            double se = Math.sqrt(ss / 2) / Math.sqrt(3); // sample sd over √n
            assertTrue(se > 0);
            assertEquals(se, r.lossStdErr(), 1e-5);
            assertTrue(r.accuracyStdErr() >= 0);

            Validation.Result all = Validation.run(runner, tokens, BATCH, SEQ, 0);
            assertEquals(available, all.windows());
            assertTrue(all.complete());
            assertEquals((long) available * SEQ, all.rows());
        }
    }
}
