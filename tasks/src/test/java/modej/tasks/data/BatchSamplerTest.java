package modej.tasks.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BatchSamplerTest {

    /** Token i is i, so a window is identified by its first token. */
    private static int[] counting(int n) {
        int[] tokens = new int[n];
        Arrays.setAll(tokens, i -> i);
        return tokens;
    }

    @Test
    void sameSeedSameBatchesOtherSeedOtherBatches() {
        int[] tokens = counting(10_000);
        BatchSampler a = new BatchSampler(tokens, 4, 16, 42);
        BatchSampler b = new BatchSampler(tokens, 4, 16, 42);
        BatchSampler c = new BatchSampler(tokens, 4, 16, 43);
        int[] ia = new int[64], ta = new int[64], ib = new int[64], tb = new int[64], ic = new int[64], tc = new int[64];
        for (int i = 0; i < 20; i++) {
            a.next(ia, ta);
            b.next(ib, tb);
            c.next(ic, tc);
            assertArrayEquals(ia, ib);
            assertArrayEquals(ta, tb);
            assertFalse(Arrays.equals(ia, ic));
        }
        assertEquals(20, a.position());
    }

    @Test
    void seekGivesTheSameBatchAsDrawingUpToIt() {
        int[] tokens = counting(5_000);
        BatchSampler fresh = new BatchSampler(tokens, 3, 8, 7);
        int[][] inputs = new int[12][24];
        int[][] targets = new int[12][24];
        for (int k = 0; k < 12; k++) {
            fresh.next(inputs[k], targets[k]);
        }
        BatchSampler resumed = new BatchSampler(tokens, 3, 8, 7);
        int[] in = new int[24], tg = new int[24];
        for (int k : new int[] {9, 0, 11, 5}) {
            resumed.seek(k);
            resumed.next(in, tg);
            assertArrayEquals(inputs[k], in, "batch " + k);
            assertArrayEquals(targets[k], tg, "batch " + k);
            assertEquals(k + 1, resumed.position());
        }
    }

    @Test
    void targetsAreInputsShiftedByOneAndWindowsCoverEveryStart() {
        int seqLen = 4;
        int[] tokens = counting(20);  // starts 0..15 are the valid ones
        BatchSampler sampler = new BatchSampler(tokens, 2, seqLen, 1);
        int[] in = new int[8], tg = new int[8];
        boolean[] seen = new boolean[tokens.length];
        for (int k = 0; k < 500; k++) {
            sampler.next(in, tg);
            for (int row = 0; row < 2; row++) {
                int start = in[row * seqLen];
                assertTrue(start >= 0 && start + seqLen < tokens.length, "start " + start);
                seen[start] = true;
                for (int t = 0; t < seqLen; t++) {
                    assertEquals(start + t, in[row * seqLen + t]);
                    assertEquals(start + t + 1, tg[row * seqLen + t]);
                }
            }
        }
        for (int start = 0; start < tokens.length; start++) {
            assertEquals(start + seqLen < tokens.length, seen[start], "start " + start);
        }
        assertEquals(20, sampler.epochTokens());
        assertEquals(500 * 8 / 20.0, sampler.epochs(), 1e-9);
    }

    @Test
    void drawingAllocatesNothing() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        BatchSampler sampler = new BatchSampler(counting(100_000), 8, 64, 3);
        int[] in = new int[512], tg = new int[512];
        for (int k = 0; k < 20_000; k++) {
            sampler.next(in, tg);
        }
        long id = Thread.currentThread().threadId();
        threads.getThreadAllocatedBytes(id);
        long before = threads.getThreadAllocatedBytes(id);
        for (int k = 0; k < 20_000; k++) {
            sampler.next(in, tg);
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;
        assertTrue(allocated < 4096, allocated + " bytes allocated by 20,000 draws");
    }

    @Test
    void tooShortCorpusSaysHowShort() {
        var e = assertThrows(IllegalArgumentException.class, () -> new BatchSampler(new int[16], 2, 16, 0));
        assertEquals("corpus has 16 tokens, needs at least seqLen+1 = 17", e.getMessage());
        new BatchSampler(new int[17], 2, 16, 0).next(new int[32], new int[32]);
    }

    @Test
    void wrongBufferSizeIsRejected() {
        BatchSampler sampler = new BatchSampler(counting(100), 2, 8, 0);
        var e = assertThrows(IllegalArgumentException.class, () -> sampler.next(new int[16], new int[15]));
        assertEquals("inputs and targets must hold batch*seqLen = 16 tokens, got 16 and 15", e.getMessage());
    }
}
