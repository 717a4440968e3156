package modej.engine.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;

/** {@link WorkerPool.Split}: every index of the range runs exactly once, whoever runs it. */
class WorkerPoolSplitTest {

    @Test
    void everyIndexOnceForManyShapes() {
        try (WorkerPool pool = new WorkerPool(3)) {
            for (int work : new int[]{0, 1, 2, 5, 17, 100, 1001}) {
                for (int parts = 1; parts <= 3; parts++) {
                    for (int chunks : new int[]{1, 2, 7}) {
                        WorkerPool.Split split = new WorkerPool.Split(work, parts, chunks);
                        for (int run = 0; run < 3; run++) {
                            AtomicIntegerArray seen = new AtomicIntegerArray(work);
                            split.reset();
                            pool.run(w -> split.run(w, (lo, n) -> {
                                for (int i = lo; i < lo + n; i++) {
                                    seen.incrementAndGet(i);
                                }
                            }));
                            for (int i = 0; i < work; i++) {
                                assertEquals(1, seen.get(i), "work " + work + " parts " + parts + " chunks " + chunks
                                        + " run " + run + ": index " + i);
                            }
                        }
                    }
                }
            }
        }
    }

    /** A worker held up at its first chunk: the others take the rest of its slice. */
    @Test
    void aDelayedWorkersChunksAreTaken() {
        int work = 80, chunks = 8;
        WorkerPool.Split split = new WorkerPool.Split(work, 2, chunks);
        AtomicIntegerArray by = new AtomicIntegerArray(work);
        try (WorkerPool pool = new WorkerPool(2)) {
            split.reset();
            pool.run(w -> split.run(w, (lo, n) -> {
                if (w == 1) {
                    LockSupport.parkNanos(300_000_000L);      // worker 1 stalls on each chunk it runs
                }
                for (int i = lo; i < lo + n; i++) {
                    by.set(i, w + 1);
                }
            }));
        }
        int stolen = 0;
        for (int i = 0; i < work; i++) {
            assertTrue(by.get(i) != 0, "index " + i + " not run");
            if (i >= work / 2 && by.get(i) == 1) {
                stolen++;
            }
        }
        // Worker 0 finishes its 8 chunks at once and takes most of worker 1's from the back while it sleeps.
        assertTrue(stolen >= 4 * work / 2 / chunks, "indices of worker 1's slice run by worker 0: " + stolen);
    }

    @Test
    void workersBeyondThePartsSitItOut() {
        WorkerPool.Split split = new WorkerPool.Split(10, 1, 3);
        AtomicIntegerArray by = new AtomicIntegerArray(10);
        try (WorkerPool pool = new WorkerPool(3)) {
            split.reset();
            pool.run(w -> split.run(w, (lo, n) -> {
                for (int i = lo; i < lo + n; i++) {
                    by.set(i, w + 1);
                }
            }));
        }
        for (int i = 0; i < 10; i++) {
            assertEquals(1, by.get(i), "index " + i);
        }
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> new WorkerPool.Split(10, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new WorkerPool.Split(10, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new JvmBackend(1, true, false, 0));
    }
}
