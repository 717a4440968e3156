package modej.engine.jvm;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.List;

import modej.engine.device.Backend;
import modej.engine.device.Executable;
import modej.engine.device.Profile;
import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.engine.graph.Task;

/**
 * The default backend: runs each task's kernel on a pool of JVM threads, splitting its parallel
 * range into one contiguous part per worker. Where {@link FastPaths} declares a Vector API twin of
 * a kernel, the twin runs instead of the portable kernel (unless vectors are switched off, for
 * equivalence tests); {@link #profile} says which of the two ran.
 *
 * <p>Every kernel parallelises over outputs and never splits a reduction, so results are
 * bit-identical for any number of threads.
 *
 * <p>Host memory is the kernels' memory, so {@link #toDevice} and {@link #toHost} have nothing to
 * do, and a missing call would go unnoticed. With {@code -D}{@value #TRACK_TRANSFERS}{@code =true}
 * (on for the test suite) the backend keeps a device copy of every buffer instead and moves it as
 * a device backend would ({@link DeviceCopies}): a missing transfer fails where it happens.
 */
public final class JvmBackend implements Backend {

    /** The system property that switches on the transfer-tracking test mode. */
    public static final String TRACK_TRANSFERS = "modej.jvm.trackTransfers";

    /**
     * Chunks per worker and task ({@code -Dmodej.jvm.chunks}, default 1: one contiguous part per
     * worker). With more, a worker that finishes early takes chunks from the others' parts; each
     * chunk is a kernel call of its own (a GEMM packs its shared operand once per call).
     */
    static final int CHUNKS = Math.max(1, Integer.getInteger("modej.jvm.chunks", 1));

    private final WorkerPool pool;
    private final boolean vector;
    private final boolean profiling;
    /** The device copies of the transfer-tracking mode, or null. */
    private final DeviceCopies copies;
    private final int chunks;
    /**
     * The timings of every graph compiled while profiling. Only these small counters are kept, not
     * the executables: holding those would keep every buffer of every graph ever compiled alive
     * (an experiment compiles new graphs for every run).
     */
    private final List<Timings> timings = new java.util.ArrayList<>();

    /**
     * @param threads   workers (the calling thread is one of them)
     * @param vector    use Vector API fast paths where they exist
     * @param profiling time every task (adds two {@code nanoTime} calls per task)
     */
    public JvmBackend(int threads, boolean vector, boolean profiling) {
        this(threads, vector, profiling, Boolean.getBoolean(TRACK_TRANSFERS), CHUNKS);
    }

    /**
     * @param trackTransfers keep device copies and fail on a missing {@code toDevice}/{@code toHost}
     *                       (a test mode; by default the {@value #TRACK_TRANSFERS} property)
     */
    public JvmBackend(int threads, boolean vector, boolean profiling, boolean trackTransfers) {
        this(threads, vector, profiling, trackTransfers, CHUNKS);
    }

    /** @param chunks chunks per worker of each task's range (1: one contiguous part per worker) */
    public JvmBackend(int threads, boolean vector, boolean profiling, int chunks) {
        this(threads, vector, profiling, Boolean.getBoolean(TRACK_TRANSFERS), chunks);
    }

    /**
     * @param trackTransfers keep device copies and fail on a missing {@code toDevice}/{@code toHost}
     * @param chunks         chunks per worker of each task's range (1: one contiguous part per worker)
     */
    public JvmBackend(int threads, boolean vector, boolean profiling, boolean trackTransfers, int chunks) {
        if (chunks < 1) {
            throw new IllegalArgumentException("chunks must be >= 1, got " + chunks);
        }
        if (vector) {
            FastPaths.all(); // a declared fast path that does not bind stops the backend here
        }
        this.pool = new WorkerPool(threads);
        this.vector = vector;
        this.profiling = profiling;
        this.copies = trackTransfers ? new DeviceCopies() : null;
        this.chunks = chunks;
    }

    /** All cores, fast paths on, no profiling. */
    public JvmBackend() {
        this(Runtime.getRuntime().availableProcessors(), true, false);
    }

    @Override
    public String name() {
        return "jvm";
    }

    public int threads() {
        return pool.size();
    }

    public boolean vector() {
        return vector;
    }

    public boolean tracksTransfers() {
        return copies != null;
    }

    @Override
    public Executable compile(Graph graph) {
        return compile(graph, pool.size());
    }

    /** Each task's range is split over at most {@code workers} workers; the others sit it out. */
    @Override
    public Executable compile(Graph graph, int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("graph " + graph.name() + ": workers must be >= 1, got " + workers);
        }
        int parts = Math.min(workers, pool.size());
        List<Task> tasks = graph.tasks();
        CompiledTask[] compiled = new CompiledTask[tasks.size()];
        for (int i = 0; i < compiled.length; i++) {
            Task t = tasks.get(i);
            Method m = vector ? FastPaths.of(t.kernel()) : t.kernel();
            compiled[i] = new CompiledTask(t, bind(t, m), m == t.kernel() ? PORTABLE : VECTOR, parts, chunks);
        }
        JvmExecutable e = new JvmExecutable(graph.name(), compiled, copies == null ? null
                : graph.buffers().stream().map(copies::of).toArray(DeviceCopies.Copy[]::new));
        if (profiling) {
            timings.add(e.timings);
        }
        return e;
    }

    @Override
    public Profile profile() {
        Profile p = new Profile();
        timings.forEach(t -> p.addAll(t.profile()));
        return p;
    }

    /** {@code m} (the task's kernel or its twin) with all leading arguments bound: {@code (offset, count) -> void}. */
    private MethodHandle bind(Task task, Method m) {
        try {
            MethodHandle mh = MethodHandles.publicLookup().unreflect(m);
            mh = MethodHandles.insertArguments(mh, 0, task.args().stream()
                    .map(a -> a instanceof Buffer b ? (copies == null ? b.array() : copies.of(b).device) : a).toArray());
            return mh.asType(MethodType.methodType(void.class, int.class, int.class));
        } catch (IllegalAccessException e) {
            throw new IllegalArgumentException("kernel " + task.kernelName() + " is not public", e);
        }
    }

    /** Each worker is a device for MPMD: a graph placed on it runs whole on that worker's thread. */
    @Override
    public int devices() {
        return pool.size();
    }

    @Override
    public Executable concurrent(List<Executable> graphs, int[] devices) {
        if (graphs.size() != devices.length) {
            throw new IllegalArgumentException(graphs.size() + " graphs but " + devices.length + " devices");
        }
        JvmExecutable[] own = new JvmExecutable[graphs.size()];
        for (int i = 0; i < own.length; i++) {
            if (!(graphs.get(i) instanceof JvmExecutable e) || e.owner() != this) {
                throw new IllegalArgumentException("graph " + i + " was not compiled by this backend");
            }
            if (devices[i] < 0 || devices[i] >= pool.size()) {
                throw new IllegalArgumentException("device " + devices[i] + " does not exist; this backend has devices 0.."
                        + (pool.size() - 1) + " (one per worker; use --threads to get more)");
            }
            own[i] = e;
        }
        return new ConcurrentExecutable(own, devices.clone());
    }

    @Override
    public void toDevice(Buffer... buffers) {
        if (copies != null) {
            for (Buffer b : buffers) {
                copies.toDevice(b);
            }
        }
        // otherwise host memory is device memory
    }

    @Override
    public void toHost(Buffer... buffers) {
        if (copies != null) {
            for (Buffer b : buffers) {
                copies.toHost(b);
            }
        }
    }

    @Override
    public void close() {
        if (copies != null) {
            copies.close();
        }
        pool.close();
    }

    /** Profile variants: the portable kernel ran, or its Vector API twin. */
    static final String PORTABLE = "portable", VECTOR = "vector";

    /** One task ready to run: its bound kernel, which variant that is, and the split of its range over workers. */
    private static final class CompiledTask implements WorkerPool.Job, WorkerPool.Range {
        final Task task;
        final MethodHandle kernel;
        final String variant;
        final WorkerPool.Split split;
        /** Compiled for one worker: run on the calling thread, no hand-off to the pool. */
        final boolean whole;

        /** The range goes to the first {@code parts} workers; the rest sit it out. */
        CompiledTask(Task task, MethodHandle kernel, String variant, int parts, int chunks) {
            this.task = task;
            this.kernel = kernel;
            this.variant = variant;
            this.whole = parts == 1;
            this.split = new WorkerPool.Split(task.work(), parts, chunks);
        }

        @Override
        public void run(int worker) {
            split.run(worker, this);
        }

        @Override
        public void run(int offset, int count) {
            try {
                kernel.invokeExact(offset, count);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Per-task time summed over the runs of one graph; names only, no buffers. */
    private static final class Timings {
        final String[] tasks, kernels, variants;
        final long[] nanos;
        long runs;

        Timings(CompiledTask[] compiled) {
            tasks = new String[compiled.length];
            kernels = new String[compiled.length];
            variants = new String[compiled.length];
            nanos = new long[compiled.length];
            for (int i = 0; i < compiled.length; i++) {
                tasks[i] = compiled[i].task.name();
                kernels[i] = compiled[i].task.kernelName();
                variants[i] = compiled[i].variant;
            }
        }

        Profile profile() {
            Profile p = new Profile();
            for (int i = 0; i < tasks.length; i++) {
                p.add(tasks[i], kernels[i], variants[i], nanos[i], runs);
            }
            return p;
        }
    }

    private final class JvmExecutable implements Executable {
        private final String name;
        private final CompiledTask[] tasks;
        private final Timings timings;
        /** The device copies of the graph's buffers in the transfer-tracking mode, else null. */
        private final DeviceCopies.Copy[] used;

        JvmExecutable(String name, CompiledTask[] tasks, DeviceCopies.Copy[] used) {
            this.name = name;
            this.tasks = tasks;
            this.timings = new Timings(tasks);
            this.used = used;
        }

        void beforeRun() {
            if (used != null) {
                copies.beforeRun(name, used);
            }
        }

        void afterRun() {
            if (used != null) {
                copies.afterRun(name, used);
            }
        }

        JvmBackend owner() {
            return JvmBackend.this;
        }

        @Override
        public void run() {
            beforeRun();
            run(false);
            afterRun();
        }

        /** With {@code serial}, every task runs whole on the calling thread (an MPMD device of one worker). */
        void run(boolean serial) {
            for (int i = 0; i < tasks.length; i++) {
                long start = profiling ? System.nanoTime() : 0;
                CompiledTask t = tasks[i];
                if (serial || t.whole || (t.task.work() < 2 * pool.size() && t.task.work() > 0)) {
                    // One worker, or too small to be worth a hand-off: run the whole range here, same result.
                    runWhole(t);
                } else {
                    t.split.reset();
                    pool.run(t);
                }
                if (profiling) {
                    timings.nanos[i] += System.nanoTime() - start;
                }
            }
            timings.runs++;
        }

        private void runWhole(CompiledTask t) {
            try {
                t.kernel.invokeExact(0, t.task.work());
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public Profile profile() {
            return profiling ? timings.profile() : new Profile();
        }
    }

    /** Independent graphs run at the same time, each whole on the worker its device names. */
    private final class ConcurrentExecutable implements Executable, WorkerPool.Job {
        private final JvmExecutable[] graphs;
        private final int[] devices;

        ConcurrentExecutable(JvmExecutable[] graphs, int[] devices) {
            this.graphs = graphs;
            this.devices = devices;
        }

        @Override
        public void run() {
            for (JvmExecutable g : graphs) {
                g.beforeRun();
            }
            pool.run(this);
            for (JvmExecutable g : graphs) {
                g.afterRun();
            }
        }

        @Override
        public void run(int worker) {
            for (int i = 0; i < graphs.length; i++) {
                if (devices[i] == worker) {
                    graphs[i].run(true);
                }
            }
        }

        @Override
        public Profile profile() {
            Profile p = new Profile();
            for (JvmExecutable g : graphs) {
                p.addAll(g.profile());
            }
            return p;
        }
    }
}
