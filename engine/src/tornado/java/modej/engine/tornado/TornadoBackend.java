package modej.engine.tornado;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import modej.engine.device.Backend;
import modej.engine.device.Executable;
import modej.engine.device.Profile;
import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.engine.graph.Task;
import modej.engine.kernel.Parallel;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.enums.ProfilerMode;
import uk.ac.manchester.tornado.api.exceptions.TornadoBailoutRuntimeException;
import uk.ac.manchester.tornado.api.exceptions.TornadoExecutionPlanException;
import uk.ac.manchester.tornado.runtime.common.TornadoOptions;
import uk.ac.manchester.tornado.runtime.graph.TornadoVMBytecodeBuilder;

/**
 * Runs task graphs on one TornadoVM device (OpenCL, PTX or SPIR-V), calling the very kernel
 * methods the JVM backend runs: each {@link Task} becomes {@code TaskGraph.task(name,
 * Kernel::method, args…, 0, work)} (see {@link KernelTasks}), each engine graph one TornadoVM task
 * graph (several when it has more tasks than TornadoVM 5.2 can record in one: about 100).
 *
 * <h2>Data stays on the device</h2>
 * All task graphs of this backend live in one {@link TornadoExecutionPlan}, and every buffer has
 * one device copy that all of them share. TornadoVM hands device buffers from one task graph to
 * the next one executed ({@code consumeFromDevice} / {@code persistOnDevice}, resolved against the
 * graph that ran last), so every task graph here consumes and persists <em>every</em> buffer of
 * the backend, whether its tasks use it or not: whichever graph ran last can then pass on all of
 * them, in any order of execution.
 * <ul>
 *   <li>Host to device: each buffer has an upload graph, {@code transferToDevice(EVERY_EXECUTION)}
 *   of that buffer and a task that does nothing with it ({@link Upload}). A buffer starts out
 *   "host-newer"; {@link #toDevice} marks it so again. Before a graph runs, the upload graphs of its
 *   host-newer buffers run, once each. So parameters go to the device once, and the values that
 *   change every step (learning rate, step, loss scale, tokens, targets) whenever the host sets them.</li>
 *   <li>Device to host: only on {@link #toHost}, from the graph that ran last
 *   ({@code TornadoExecutionResult.transferToHost}); a host-newer buffer is not overwritten.</li>
 * </ul>
 * The plan is built when a graph first runs. Compiling a graph after that rebuilds it: buffers are
 * copied back to the host, the old plan is closed, and TornadoVM compiles its kernels again; so
 * compile every graph before running any (as {@code Runner} does).
 *
 * <h2>Devices</h2>
 * One: buffers are shared only between task graphs on the same device, so this backend places all
 * its graphs on the device it was opened on, and {@link #concurrent} runs graphs one after
 * another, in list order. MPMD across several TornadoVM devices (or one and the JVM) takes one
 * backend per device, composed by {@link modej.engine.device.ComposedBackend}, which copies
 * buffers between them through the host.
 *
 * <p>Run with TornadoVM's argfile, then {@code -Dtornado.load.annotation.parallel=modej.engine.kernel.Parallel
 * -Dtornado.recover.bailout=False} (both checked): without the first TornadoVM sees no parallel
 * loop; without the second a graph TornadoVM cannot compile would run on the host's stale copies
 * instead of failing. The backend raises TornadoVM's bytecode buffer
 * ({@code tornado.tvm.maxbytecodesize}) to what its graphs need, unless it is set.
 */
public final class TornadoBackend implements Backend {

    /**
     * Limits of a TornadoVM 5.2 task graph; longer engine graphs are split into several. It holds at
     * most 256 tasks ({@code TornadoExecutionContext.MAX_TASKS}), and records them in a fixed 8 KiB
     * buffer ({@code TornadoTaskGraph.highLevelCode}), 15 bytes per task plus 5 per parameter.
     */
    static final int MAX_TASKS_PER_TORNADO_GRAPH = 200;
    static final int TASK_RECORD_BYTES = 8192 - 64;

    /** TornadoVM's buffer for a task graph's bytecode, 4 KiB unless this property sets it. */
    static final String BYTECODE_SIZE_PROPERTY = "tornado.tvm.maxbytecodesize";
    static final String RECOVER_BAILOUT_PROPERTY = "tornado.recover.bailout";

    /** The system property through which TornadoVM finds the parallel-loop annotation. */
    public static final String PARALLEL_PROPERTY = "tornado.load.annotation.parallel";

    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final TornadoDevice device;
    private final int deviceIndex;
    private final boolean profiling;
    private final String prefix;
    private final List<TornadoExecutable> compiled = new ArrayList<>();
    /** Every buffer of every compiled graph, by its array, in first-use order. */
    private final Map<Object, Resident> buffers = new IdentityHashMap<>();
    private final List<Object> bufferOrder = new ArrayList<>();

    private TornadoExecutionPlan plan;
    private boolean stale = true;
    private TornadoExecutionResult last;
    private boolean closed;

    /** A buffer's upload graph and whether the host has written it since the device last saw it. */
    private static final class Resident {
        final Buffer buffer;
        int upload = -1;
        boolean hostNewer = true;

        Resident(Buffer buffer) {
            this.buffer = buffer;
        }
    }

    /**
     * @param device    index into {@link #listDevices()}
     * @param profiling time every task on the device (TornadoVM's profiler; kernel time only)
     */
    public TornadoBackend(int device, boolean profiling) {
        String parallel = System.getProperty(PARALLEL_PROPERTY);
        if (!Parallel.class.getName().equals(parallel)) {
            throw new IllegalStateException("TornadoVM would not see the kernels' parallel loops: start the JVM with -D"
                    + PARALLEL_PROPERTY + "=" + Parallel.class.getName() + " after TornadoVM's argfile (it is " + parallel + ")");
        }
        if (TornadoOptions.RECOVER_BAILOUT) {
            throw new IllegalStateException("start the JVM with -D" + RECOVER_BAILOUT_PROPERTY + "=False: buffers live on the "
                    + "device, so TornadoVM's fallback (running a graph it cannot compile on the host) would compute on "
                    + "stale host copies; with it off, such a graph fails instead");
        }
        List<TornadoDevice> all = allDevices();
        if (all.isEmpty()) {
            throw new IllegalStateException("TornadoVM found no device (run 'tornado --devices' to see why)");
        }
        if (device < 0 || device >= all.size()) {
            throw new IllegalArgumentException("no TornadoVM device " + device + "; devices are tornado:0.."
                    + (all.size() - 1) + " (see ./modej devices)");
        }
        this.device = all.get(device);
        this.deviceIndex = device;
        this.profiling = profiling;
        this.prefix = "modej" + INSTANCES.getAndIncrement();
    }

    /** TornadoVM's default device, no profiling. */
    public TornadoBackend() {
        this(defaultDevice(), false);
    }

    /** Every device TornadoVM can use, over all its drivers, in driver then device order. */
    static List<TornadoDevice> allDevices() {
        List<TornadoDevice> out = new ArrayList<>();
        for (uk.ac.manchester.tornado.api.TornadoBackend b : TornadoExecutionPlan.getTornadoDeviceMap().getAllBackends()) {
            out.addAll(b.getAllDevices());
        }
        return out;
    }

    /** Names the device {@link #defaultDevice()} picks, by its index in {@link #listDevices()}. */
    public static final String DEVICE_PROPERTY = "modej.tornado.device";

    /**
     * The device to use when none is named: the system property {@value #DEVICE_PROPERTY} if set
     * (e.g. {@code mvn -Ptornado test -Dmodej.tornado.device=1} runs the tests on device 1), else
     * TornadoVM's default device, as an index into {@link #allDevices()}.
     */
    public static int defaultDevice() {
        String chosen = System.getProperty(DEVICE_PROPERTY);
        if (chosen != null && !chosen.isBlank()) {
            try {
                return Integer.parseInt(chosen.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("-D" + DEVICE_PROPERTY + " must be a device index (see ./modej devices), got '"
                        + chosen + "'");
            }
        }
        TornadoDevice d = TornadoExecutionPlan.DEFAULT_DEVICE;
        List<TornadoDevice> all = allDevices();
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i) == d || all.get(i).equals(d)) {
                return i;
            }
        }
        return 0;
    }

    /**
     * One row per device: {@code [index, name, compute units, global memory bytes, what]}, where
     * "what" is TornadoVM's backend, {@code driver:device} pair and platform. Index i is the device
     * {@code new TornadoBackend(i, …)} opens, named {@code tornado:i} in graph configs.
     */
    public static List<String[]> listDevices() {
        List<String[]> rows = new ArrayList<>();
        int index = 0;
        List<uk.ac.manchester.tornado.api.TornadoBackend> drivers = TornadoExecutionPlan.getTornadoDeviceMap().getAllBackends();
        for (int b = 0; b < drivers.size(); b++) {
            List<TornadoDevice> devices = drivers.get(b).getAllDevices();
            for (int d = 0; d < devices.size(); d++) {
                TornadoDevice dev = devices.get(d);
                rows.add(new String[] {
                        Integer.toString(index++),
                        dev.getPhysicalDevice().getDeviceName(),
                        Integer.toString(dev.getPhysicalDevice().getDeviceMaxComputeUnits()),
                        Long.toString(dev.getMaxGlobalMemory()),
                        dev.getTornadoVMBackend() + " " + b + ":" + d + ", " + dev.getPlatformName()});
            }
        }
        return rows;
    }

    @Override
    public String name() {
        return "tornado";
    }

    /** The device this backend runs on, as TornadoVM names it. */
    public String deviceName() {
        return device.getPhysicalDevice().getDeviceName();
    }

    public int deviceIndex() {
        return deviceIndex;
    }

    @Override
    public Executable compile(Graph graph) {
        checkOpen();
        for (Task t : graph.tasks()) {
            if (t.kernel().getParameterCount() > KernelTasks.MAX_PARAMETERS) {
                throw new IllegalArgumentException("graph " + graph.name() + ", task " + t.name() + ": TornadoVM takes at most "
                        + KernelTasks.MAX_PARAMETERS + " parameters, " + t.kernelName() + " has " + t.kernel().getParameterCount());
            }
            Map<Object, Buffer> seen = new IdentityHashMap<>();
            for (Buffer b : t.buffers()) {
                if (seen.put(b.array(), b) != null) {
                    throw new IllegalArgumentException("graph " + graph.name() + ", task " + t.name() + " passes buffer "
                            + b.name() + " to " + t.kernelName() + " twice; TornadoVM 5.2 cannot schedule a task that "
                            + "writes an array it also gets as another parameter (its bytecode scheduler never "
                            + "finishes), so give the task separate input and output buffers");
                }
            }
        }
        for (Buffer b : graph.buffers()) {
            if (b.length() == 0) {
                throw new IllegalArgumentException("graph " + graph.name() + ": buffer " + b.name()
                        + " is empty; TornadoVM cannot hold a zero-length array");
            }
            if (!buffers.containsKey(b.array())) {
                buffers.put(b.array(), new Resident(b));
                bufferOrder.add(b.array());
            }
        }
        TornadoExecutable e = new TornadoExecutable(compiled.size(), graph);
        compiled.add(e);
        stale = true;
        return e;
    }

    /** One: see the class comment. */
    @Override
    public int devices() {
        return 1;
    }

    /** The graphs run one after another, in list order, on this backend's one device. */
    @Override
    public Executable concurrent(List<Executable> graphs, int[] devices) {
        if (graphs.size() != devices.length) {
            throw new IllegalArgumentException(graphs.size() + " graphs but " + devices.length + " devices");
        }
        List<TornadoExecutable> own = new ArrayList<>();
        for (int i = 0; i < devices.length; i++) {
            if (!(graphs.get(i) instanceof TornadoExecutable e) || !compiled.contains(e)) {
                throw new IllegalArgumentException("graph " + i + " was not compiled by this backend");
            }
            if (devices[i] != 0) {
                throw new IllegalArgumentException("device " + devices[i] + " does not exist; the tornado backend has one "
                        + "device (tornado:0) and runs concurrent graphs one after another");
            }
            own.add(e);
        }
        return new Executable() {
            @Override
            public void run() {
                own.forEach(TornadoExecutable::run);
            }

            @Override
            public Profile profile() {
                Profile p = new Profile();
                own.forEach(e -> p.addAll(e.profile()));
                return p;
            }
        };
    }

    @Override
    public void toDevice(Buffer... written) {
        for (Buffer b : written) {
            Resident r = buffers.get(b.array());
            if (r != null) {
                r.hostNewer = true;
            }
            // a buffer no graph uses yet goes to the device when the first graph that uses it runs
        }
    }

    @Override
    public void toHost(Buffer... read) {
        if (last == null) {
            return; // nothing ran: the host holds every buffer
        }
        List<Object> copy = new ArrayList<>();
        for (Buffer b : read) {
            Resident r = buffers.get(b.array());
            if (r != null && !r.hostNewer) {
                copy.add(b.array());
            }
        }
        if (!copy.isEmpty()) {
            last.transferToHost(copy.toArray());
        }
    }

    @Override
    public Profile profile() {
        Profile p = new Profile();
        compiled.forEach(e -> p.addAll(e.profile()));
        return p;
    }

    /** Copies every buffer the device holds a newer copy of back to the host, then frees the device. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        closePlan();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the tornado backend is closed");
        }
    }

    private void closePlan() {
        if (plan == null) {
            return;
        }
        try {
            toHost(bufferOrder.stream().map(a -> buffers.get(a).buffer).toArray(Buffer[]::new));
            plan.close();
        } catch (TornadoExecutionPlanException e) {
            throw new IllegalStateException("closing the TornadoVM execution plan failed", e);
        } finally {
            plan = null;
            last = null;
        }
    }

    /** (Re)builds the execution plan over every compiled graph; see the class comment. */
    private void buildPlan() {
        closePlan();
        Object[] all = bufferOrder.toArray();
        List<ImmutableTaskGraph> graphs = new ArrayList<>();
        for (int i = 0; i < all.length; i++) {
            Object array = all[i];
            Resident r = buffers.get(array);
            TaskGraph up = new TaskGraph(prefix + "u" + i);
            if (all.length > 1) {
                up.consumeFromDevice(without(all, i));
            }
            up.transferToDevice(DataTransferMode.EVERY_EXECUTION, array);
            if (array instanceof float[] f) {
                up.task("t", Upload::f32, f);
            } else {
                up.task("t", Upload::i32, (int[]) array);
            }
            up.persistOnDevice(all);
            r.upload = graphs.size();
            r.hostNewer = true;
            graphs.add(up.snapshot());
        }
        int bytecode = bytecodeBound(all.length, List.of()) + 80; // an upload graph: one task of one parameter
        GridScheduler grids = new GridScheduler();
        for (TornadoExecutable e : compiled) {
            bytecode = Math.max(bytecode, e.addTo(graphs, all, grids));
        }
        ensureBytecodeSize(bytecode);
        plan = new TornadoExecutionPlan(graphs.toArray(ImmutableTaskGraph[]::new));
        plan.withDevice(device);
        if (!grids.keySet().isEmpty()) {
            plan.withGridScheduler(grids); // the work-group shapes of DeviceKernels' substitutes
        }
        if (profiling) {
            plan.withProfiler(ProfilerMode.SILENT);
        }
        stale = false;
    }

    /**
     * An upper bound of the TornadoVM bytecode of one task graph that declares {@code objects}
     * buffers and runs {@code tasks}: per buffer at most a transfer, an allocation entry, an
     * on-device and a persist op and their dependencies; per task a launch, its arguments and
     * their dependencies (see TornadoVM's {@code TornadoVMBytecodeBuilder}).
     */
    static int bytecodeBound(int objects, List<Task> tasks) {
        long bytes = 64 + 64L * objects;
        for (Task t : tasks) {
            bytes += 64 + 16L * (t.kernel().getParameterCount() + 1); // + 1: a device kernel's KernelContext
        }
        return (int) Math.min(Integer.MAX_VALUE, bytes);
    }

    /**
     * TornadoVM reads its bytecode buffer size once, when it first compiles a graph. Unless the
     * user set it, set it large enough for every graph here (a buffer of that size is kept per
     * compiled task graph); if TornadoVM already read a smaller value, fail with what to set.
     */
    private static void ensureBytecodeSize(int needed) {
        if (System.getProperty(BYTECODE_SIZE_PROPERTY) == null) {
            int size = 64 * 1024;
            while (size < needed) {
                size *= 2;
            }
            System.setProperty(BYTECODE_SIZE_PROPERTY, Integer.toString(size));
        }
        int limit = TornadoVMBytecodeBuilder.MAX_TORNADO_VM_BYTECODE_SIZE;
        if (limit < needed) {
            throw new IllegalStateException("TornadoVM's bytecode buffer holds " + limit + " bytes, but a task graph may "
                    + "need up to " + needed + ": start the JVM with -D" + BYTECODE_SIZE_PROPERTY + "=" + needed);
        }
    }

    private static Object[] without(Object[] all, int skip) {
        Object[] out = new Object[all.length - 1];
        System.arraycopy(all, 0, out, 0, skip);
        System.arraycopy(all, skip + 1, out, skip, all.length - skip - 1);
        return out;
    }

    /** Runs one task graph of the plan; {@code what} names it in errors. */
    private TornadoExecutionResult execute(int graph, String what) {
        try {
            last = plan.withGraph(graph).execute();
        } catch (TornadoBailoutRuntimeException e) {
            throw new IllegalStateException("TornadoVM could not run " + what + ": " + e.getMessage().replaceAll("\u001b\\[[0-9;]*m", "")
                    + ". TornadoVM 5.2 often drops the reason; a JFR recording with jdk.JavaExceptionThrow enabled shows it", e);
        }
        return last;
    }

    /** An engine graph: one or more TornadoVM task graphs of the plan, run in order. */
    private final class TornadoExecutable implements Executable {
        private final Graph graph;
        private final String id;
        private final List<Task> tasks = new ArrayList<>();
        private final List<Object> arrays = new ArrayList<>();
        private final KernelTimes times;
        private int[] planGraphs = new int[0];
        private List<List<Integer>> chunkTasks = List.of();
        /** Per chunk, its tasks' names in TornadoVM's profile log ({@link KernelTimes#key}). */
        private List<String[]> logKeys = List.of();
        private List<int[]> logTasks = List.of();

        TornadoExecutable(int index, Graph graph) {
            this.graph = graph;
            this.id = prefix + "g" + index;
            // a task over an empty range does nothing; TornadoVM cannot launch zero threads
            graph.tasks().stream().filter(t -> t.work() > 0).forEach(tasks::add);
            graph.buffers().forEach(b -> arrays.add(b.array()));
            this.times = new KernelTimes(tasks.size());
        }

        /**
         * Adds this graph's TornadoVM task graphs to the plan, and the grids of the device kernels
         * that replace some of its tasks ({@link DeviceKernels}) to {@code grids}; returns a bound
         * of their bytecode size.
         */
        int addTo(List<ImmutableTaskGraph> plan, Object[] all, GridScheduler grids) {
            List<List<Integer>> members = new ArrayList<>();
            List<Integer> chunk = new ArrayList<>();
            int bytes = 0;
            for (int k = 0; k < tasks.size(); k++) {
                int record = 15 + 5 * (tasks.get(k).kernel().getParameterCount() + 1); // + 1: see bytecodeBound
                if (!chunk.isEmpty() && (bytes + record > TASK_RECORD_BYTES || chunk.size() == MAX_TASKS_PER_TORNADO_GRAPH)) {
                    members.add(chunk);
                    chunk = new ArrayList<>();
                    bytes = 0;
                }
                chunk.add(k);
                bytes += record;
            }
            if (!chunk.isEmpty()) {
                members.add(chunk);
            }
            planGraphs = new int[members.size()];
            List<String[]> keys = new ArrayList<>();
            int bytecode = 0;
            for (int c = 0; c < members.size(); c++) {
                String name = id + "c" + c;
                TaskGraph tg = new TaskGraph(name).consumeFromDevice(all);
                List<Integer> in = members.get(c);
                String[] key = new String[in.size()];
                List<Task> chunkTasks = new ArrayList<>();
                for (int i = 0; i < in.size(); i++) {
                    int k = in.get(i);
                    Task t = tasks.get(k);
                    Object[] args = arguments(t);
                    DeviceKernels.Substitute device = DeviceKernels.of(t.kernel(), args);
                    if (device == null) {
                        KernelTasks.add(tg, "t" + k, t.kernel(), args);
                    } else {
                        KernelTasks.add(tg, "t" + k, device.kernel(), device.args());
                        grids.addWorkerGrid(name + ".t" + k, device.grid());
                    }
                    chunkTasks.add(t);
                    key[i] = KernelTimes.key(name, k);
                }
                tg.persistOnDevice(all);
                planGraphs[c] = plan.size();
                plan.add(tg.snapshot());
                keys.add(key);
                bytecode = Math.max(bytecode, bytecodeBound(all.length, chunkTasks));
            }
            this.chunkTasks = members;
            logKeys = keys;
            logTasks = members.stream().map(m -> m.stream().mapToInt(Integer::intValue).toArray()).toList();
            return bytecode;
        }

        /** The task's arguments as TornadoVM takes them, with the trailing (offset = 0, count = work). */
        private Object[] arguments(Task t) {
            List<Object> args = t.args();
            Object[] out = new Object[args.size() + 2];
            for (int i = 0; i < args.size(); i++) {
                out[i] = args.get(i) instanceof Buffer b ? b.array() : args.get(i);
            }
            out[args.size()] = 0;
            out[args.size() + 1] = t.work();
            return out;
        }

        @Override
        public void run() {
            checkOpen();
            if (stale || plan == null) {
                buildPlan();
            }
            for (Object a : arrays) {
                Resident r = buffers.get(a);
                if (r.hostNewer) {
                    execute(r.upload, "the upload of " + r.buffer.name());
                    r.hostNewer = false;
                }
            }
            for (int c = 0; c < planGraphs.length; c++) {
                List<Integer> in = chunkTasks.get(c);
                TornadoExecutionResult result = execute(planGraphs[c], "graph " + graph.name() + " (tasks "
                        + tasks.get(in.get(0)).name() + " to " + tasks.get(in.get(in.size() - 1)).name() + ")");
                if (profiling) {
                    times.add(result.getProfilerResult().getProfileLog(), logKeys.get(c), logTasks.get(c));
                }
            }
            times.run();
        }

        @Override
        public Profile profile() {
            Profile p = new Profile();
            if (profiling) {
                for (int i = 0; i < tasks.size(); i++) {
                    p.add(tasks.get(i).name(), tasks.get(i).kernelName(), "tornado", times.nanos(i), times.runs());
                }
            }
            return p;
        }

        @Override
        public String toString() {
            return "tornado " + graph;
        }
    }

    @Override
    public String toString() {
        return "tornado backend on " + deviceName() + " (tornado:" + deviceIndex + ")";
    }
}
