package modej.engine.jvm;

import java.util.concurrent.atomic.AtomicInteger;
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
}
