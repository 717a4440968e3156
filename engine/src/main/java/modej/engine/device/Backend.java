package modej.engine.device;

import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;

/**
 * Runs task graphs. A backend may keep buffers on a device between runs: after the host writes a
 * buffer it calls {@link #toDevice}, before it reads one it calls {@link #toHost}. On the JVM
 * backend both are no-ops, but callers make them anyway so that every backend sees the same
 * protocol; the JVM backend's transfer-tracking test mode (on for the test suite) checks them.
 */
public interface Backend extends AutoCloseable {

    /** Short name, e.g. {@code "jvm"}. */
    String name();

    /** Prepares a graph once; the result is run many times. */
    Executable compile(Graph graph);

    /**
     * Prepares a graph to run on at most {@code workers} of the backend's workers (a graph config's
     * {@code <graph>.workers}); backends without such a notion ignore it.
     */
    default Executable compile(Graph graph, int workers) {
        return compile(graph);
    }

    /**
     * Prepares a graph for device {@code device} (of {@link #devices()}): the device a graph config
     * or MPMD placement gives it. {@code workers} is as in {@link #compile(Graph, int)}, or 0 for no
     * limit. Where every device sees the same memory and a compiled graph runs on any of them (the
     * JVM backend, one device per worker) the device is chosen later, by {@link #concurrent}, and a
     * graph run alone uses all devices; a backend made of several devices' backends
     * ({@link ComposedBackend}) compiles the graph on the one named.
     */
    default Executable compile(Graph graph, int workers, int device) {
        return workers > 0 ? compile(graph, workers) : compile(graph);
    }

    /** Devices graphs can be placed on (on the JVM: one per worker). SPMD spreads each graph over all. */
    int devices();

    /**
     * The devices' names as graph configs write them, index i naming device i: by default
     * {@code <name()>:<i>} ({@code jvm:0}, {@code jvm:1}, {@code tornado:0}).
     */
    default java.util.List<String> deviceNames() {
        return java.util.stream.IntStream.range(0, devices()).mapToObj(i -> name() + ":" + i).toList();
    }

    /**
     * One executable that runs {@code graphs} at the same time, graph i on device {@code devices[i]}
     * (graphs on the same device run in list order), for MPMD execution of independent graphs.
     */
    Executable concurrent(java.util.List<Executable> graphs, int[] devices);

    /** The host wrote these buffers; the next run must see the new contents. */
    void toDevice(Buffer... buffers);

    /** The host is about to read these buffers. */
    void toHost(Buffer... buffers);

    /** Per-task timings of every graph compiled here (empty unless profiling is on). */
    Profile profile();

    @Override
    void close();
}
