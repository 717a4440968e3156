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
 * range into one contiguous part per worker. Where {@code modej.engine.jvm.<Kernel>Vector} has a
 * method of the same name and parameter types, that Vector API fast path runs instead of the
 * portable kernel (unless vectors are switched off, for equivalence tests).
 *
 * <p>Every kernel parallelises over outputs and never splits a reduction, so results are
 * bit-identical for any number of threads.
 */
public final class JvmBackend implements Backend {

    /**
     * Chunks per worker and task ({@code -Dmodej.jvm.chunks}, default 1: one contiguous part per
     * worker). With more, a worker that finishes early takes chunks from the others' parts; each
     * chunk is a kernel call of its own (a GEMM packs its shared operand once per call).
     */
    static final int CHUNKS = Math.max(1, Integer.getInteger("modej.jvm.chunks", 1));

    private final WorkerPool pool;
    private final boolean vector;
    private final boolean profiling;
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
        this(threads, vector, profiling, CHUNKS);
    }

    /** @param chunks chunks per worker of each task's range (1: one contiguous part per worker) */
    public JvmBackend(int threads, boolean vector, boolean profiling, int chunks) {
        if (chunks < 1) {
            throw new IllegalArgumentException("chunks must be >= 1, got " + chunks);
        }
        this.pool = new WorkerPool(threads);
        this.vector = vector;
        this.profiling = profiling;
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
            compiled[i] = new CompiledTask(tasks.get(i), bind(tasks.get(i)), parts, chunks);
        }
        JvmExecutable e = new JvmExecutable(compiled);
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

    /** The task's kernel (or its fast path) with all leading arguments bound: {@code (offset, count) -> void}. */
    private MethodHandle bind(Task task) {
        Method m = vector ? fastPath(task.kernel()) : task.kernel();
        try {
            MethodHandle mh = MethodHandles.publicLookup().unreflect(m);
            mh = MethodHandles.insertArguments(mh, 0, task.args().stream()
                    .map(a -> a instanceof Buffer b ? b.array() : a).toArray());
            return mh.asType(MethodType.methodType(void.class, int.class, int.class));
        } catch (IllegalAccessException e) {
            throw new IllegalArgumentException("kernel " + task.kernelName() + " is not public", e);
        }
    }

    /** {@code modej.engine.jvm.<Kernel>Vector.<method>} with the same parameters, or the kernel itself. */
    static Method fastPath(Method kernel) {
        String name = JvmBackend.class.getPackageName() + "." + kernel.getDeclaringClass().getSimpleName() + "Vector";
        try {
            return Class.forName(name).getMethod(kernel.getName(), kernel.getParameterTypes());
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            return kernel;
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
        // Host memory is device memory.
    }

    @Override
    public void toHost(Buffer... buffers) {
        // Host memory is device memory.
    }

    @Override
    public void close() {
        pool.close();
    }

    /** One task ready to run: its bound kernel and the split of its range over workers. */
    private static final class CompiledTask implements WorkerPool.Job, WorkerPool.Range {
        final Task task;
        final MethodHandle kernel;
        final WorkerPool.Split split;

        /** The range goes to the first {@code parts} workers; the rest sit it out. */
        CompiledTask(Task task, MethodHandle kernel, int parts, int chunks) {
            this.task = task;
            this.kernel = kernel;
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
        final String[] tasks, kernels;
        final long[] nanos;
        long runs;

        Timings(CompiledTask[] compiled) {
            tasks = new String[compiled.length];
            kernels = new String[compiled.length];
            nanos = new long[compiled.length];
            for (int i = 0; i < compiled.length; i++) {
                tasks[i] = compiled[i].task.name();
                kernels[i] = compiled[i].task.kernelName();
            }
        }

        Profile profile() {
            Profile p = new Profile();
            for (int i = 0; i < tasks.length; i++) {
                p.add(tasks[i], kernels[i], nanos[i], runs);
            }
            return p;
        }
    }

    private final class JvmExecutable implements Executable {
        private final CompiledTask[] tasks;
        private final Timings timings;

        JvmExecutable(CompiledTask[] tasks) {
            this.tasks = tasks;
            this.timings = new Timings(tasks);
        }

        JvmBackend owner() {
            return JvmBackend.this;
        }

        @Override
        public void run() {
            run(false);
        }

        /** With {@code serial}, every task runs whole on the calling thread (an MPMD device of one worker). */
        void run(boolean serial) {
            for (int i = 0; i < tasks.length; i++) {
                long start = profiling ? System.nanoTime() : 0;
                CompiledTask t = tasks[i];
                if (serial || (t.task.work() < 2 * pool.size() && t.task.work() > 0)) {
                    // Too small to be worth a hand-off: run the whole range here, same result.
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
            pool.run(this);
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
