package modej.engine.jvm;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of workers that run one job at a time, each worker on its own part. The calling
 * thread is worker 0, so a pool of one starts no thread. Workers spin briefly and then park
 * between jobs: a training step runs hundreds of short jobs, and waking a parked thread costs
 * more than most of them.
 */
public final class WorkerPool implements AutoCloseable {

    /** A job split over workers; {@code worker} is in {@code [0, size)}. */
    @FunctionalInterface
    public interface Job {
        void run(int worker);
    }

    /** Work over a range, run in parts {@code [offset, offset + count)}. */
    @FunctionalInterface
    public interface Range {
        void run(int offset, int count);
    }

    private static final long SPIN_NANOS = 200_000;

    private final int size;
    private final Thread[] threads;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile long generation;
    private volatile boolean closed;
    private volatile Job job;
    private volatile Thread caller;
    private volatile Throwable failure;

    public WorkerPool(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + size);
        }
        this.size = size;
        this.threads = new Thread[size - 1];
        for (int w = 1; w < size; w++) {
            int worker = w;
            Thread t = new Thread(() -> loop(worker), "modej-worker-" + w);
            t.setDaemon(true);
            threads[w - 1] = t;
            t.start();
        }
    }

    public int size() {
        return size;
    }

    /** Runs {@code job} on every worker and returns when all are done. Not reentrant. */
    public void run(Job job) {
        if (size == 1) {
            job.run(0);
            return;
        }
        this.job = job;
        this.caller = Thread.currentThread();
        failure = null;
        pending.set(size - 1);
        generation++;
        for (Thread t : threads) {
            LockSupport.unpark(t);
        }
        Throwable own = null;
        try {
            job.run(0);
        } catch (Throwable e) {
            own = e;
        }
        long start = System.nanoTime();
        while (pending.get() > 0) {
            if (System.nanoTime() - start < SPIN_NANOS) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, 100_000);
            }
        }
        this.job = null; // every worker has run it; don't keep its buffers reachable
        Throwable worker = failure;
        if (own != null || worker != null) {
            Throwable t = own != null ? own : worker;
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException(t);
        }
    }

    private void loop(int worker) {
        long seen = 0;
        while (true) {
            long start = System.nanoTime();
            while (generation == seen && !closed) {
                if (System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (closed) {
                return;
            }
            seen = generation;
            try {
                job.run(worker);
            } catch (Throwable e) {
                failure = e;
            }
            if (pending.decrementAndGet() == 0) {
                LockSupport.unpark(caller);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : threads) {
            LockSupport.unpark(t);
        }
    }

    /**
     * A range {@code [0, work)} cut into {@code parts} contiguous slices, one per worker, each cut
     * into {@code chunks} chunks. A worker runs its own slice's chunks from the front; when it has
     * none left it takes chunks from the back of the other slices, so a worker that was held up
     * (descheduled, a slower core) does not hold up the whole job. With one chunk per slice this
     * is the plain static split. Which worker runs a chunk changes nothing in the result as long
     * as the work of every output is one call's business: the kernels here parallelise over
     * outputs, so results are bit-identical however the range is cut.
     */
    public static final class Split {
        private final int parts;
        private final int chunks;
        private final int[] cuts;
        /** Per slice: (front << 32) | back, the chunks [front, back) not yet taken. */
        private final AtomicLongArray queues;

        public Split(int work, int parts, int chunks) {
            if (parts < 1 || chunks < 1 || work < 0) {
                throw new IllegalArgumentException("work " + work + ", parts " + parts + ", chunks " + chunks);
            }
            this.parts = parts;
            this.chunks = chunks;
            int n = parts * chunks;
            this.cuts = new int[n + 1];
            for (int c = 0; c <= n; c++) {
                cuts[c] = (int) ((long) work * c / n);
            }
            this.queues = new AtomicLongArray(parts);
            reset();
        }

        /** Makes every chunk available again; call before each run, while no worker is running it. */
        public void reset() {
            if (chunks == 1) {
                return;                                   // the static split takes no chunks
            }
            for (int s = 0; s < parts; s++) {
                queues.set(s, ((long) s * chunks << 32) | (s + 1L) * chunks);
            }
        }

        /** Worker {@code worker}'s share of one run: its own chunks, then any it can take from others. */
        public void run(int worker, Range range) {
            if (worker >= parts) {
                return;                                   // this task uses fewer workers
            }
            if (chunks == 1) {
                runChunk(worker, range);                  // static split: nothing to share
                return;
            }
            for (int c; (c = takeFront(worker)) >= 0; ) {
                runChunk(c, range);
            }
            for (int i = 1; i < parts; i++) {
                int victim = (worker + i) % parts;
                for (int c; (c = takeBack(victim)) >= 0; ) {
                    runChunk(c, range);
                }
            }
        }

        private void runChunk(int c, Range range) {
            int lo = cuts[c], count = cuts[c + 1] - lo;
            if (count > 0) {
                range.run(lo, count);
            }
        }

        private int takeFront(int slice) {
            while (true) {
                long q = queues.get(slice);
                int front = (int) (q >>> 32), back = (int) q;
                if (front >= back) {
                    return -1;
                }
                if (queues.compareAndSet(slice, q, ((long) (front + 1) << 32) | back)) {
                    return front;
                }
            }
        }

        private int takeBack(int slice) {
            while (true) {
                long q = queues.get(slice);
                int front = (int) (q >>> 32), back = (int) q;
                if (front >= back) {
                    return -1;
                }
                if (queues.compareAndSet(slice, q, ((long) front << 32) | (back - 1))) {
                    return back - 1;
                }
            }
        }
    }
}
