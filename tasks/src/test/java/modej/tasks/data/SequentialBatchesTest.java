package modej.tasks.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SequentialBatchesTest {

    private static int[] counting(int n) {
        int[] tokens = new int[n];
        Arrays.setAll(tokens, i -> i);
        return tokens;
    }

    @Test
    void windowsAreConsecutiveAndDoNotOverlap() {
        // 50 tokens, T = 4: windows start at 0, 4, ..., 44 (12 windows; 48 needs token 52).
        SequentialBatches batches = new SequentialBatches(counting(50), 5, 4, 100);
        assertEquals(12, batches.windows());
        assertEquals(3, batches.batches());
        int[] in = new int[20], tg = new int[20];
        int window = 0;
        int[] rowsPerBatch = new int[3];
        for (int b = 0; batches.hasNext(); b++) {
            int rows = batches.next(in, tg);
            rowsPerBatch[b] = rows;
            for (int row = 0; row < rows; row++, window++) {
                for (int t = 0; t < 4; t++) {
                    assertEquals(window * 4 + t, in[row * 4 + t]);
                    assertEquals(window * 4 + t + 1, tg[row * 4 + t]);
                }
            }
        }
        assertEquals(12, window);
        assertEquals("[5, 5, 2]", Arrays.toString(rowsPerBatch));
        assertEquals(0, batches.next(in, tg));
    }

    @Test
    void maxBatchesCapsAndResetRepeats() {
        SequentialBatches batches = new SequentialBatches(counting(10_000), 4, 8, 3);
        assertEquals(3, batches.batches());
        int[] in = new int[32], tg = new int[32];
        int[] firstRun = new int[3];
        for (int b = 0; b < 3; b++) {
            assertEquals(4, batches.next(in, tg));
            firstRun[b] = in[0];
        }
        assertFalse(batches.hasNext());
        batches.reset();
        assertTrue(batches.hasNext());
        for (int b = 0; b < 3; b++) {
            batches.next(in, tg);
            assertEquals(firstRun[b], in[0]);
        }
        assertEquals(64, firstRun[2]);
    }

    @Test
    void tooShortStreamIsRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> new SequentialBatches(new int[8], 1, 8, 1));
        assertEquals("corpus has 8 tokens, needs at least seqLen+1 = 9", e.getMessage());
    }
}
