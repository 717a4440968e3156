package modej.engine.plan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import modej.engine.device.Backend;
import modej.engine.device.Executable;
import modej.engine.graph.Graph;

/**
 * Turns stages of graphs into executables for one strategy. A stage is a list of graphs that do
 * not depend on each other. Under SPMD every graph runs in turn on all devices; under MPMD the
 * graphs of a stage run at the same time, each on the device {@link Placement} gives it (graphs
 * alone in their stage still use all devices). Every graph is compiled for its device
 * ({@link Backend#compile(Graph, int, int)}): a graph config's, MPMD's placement, or none (the
 * backend's default), which matters where devices are separate backends ({@code ComposedBackend}).
 */
public final class ExecutionPlan {

    private final Strategy strategy;
    private final Placement placement;

    public ExecutionPlan(Strategy strategy, Placement placement) {
        this.strategy = strategy;
        this.placement = placement;
    }

    public static ExecutionPlan spmd() {
        return new ExecutionPlan(Strategy.SPMD, Placement.automatic());
    }

    public Strategy strategy() {
        return strategy;
    }

    /** Compiles every graph once and returns one executable per stage (or per graph under SPMD). */
    public List<Executable> compile(List<List<Graph>> stages, Backend backend) {
        List<Executable> out = new ArrayList<>();
        for (List<Graph> stage : stages) {
            boolean together = strategy == Strategy.MPMD && stage.size() > 1 && backend.devices() > 1;
            // the device of each graph: MPMD's placement, else the config's (-1: none; the backend's default)
            int[] devices = together ? placement.devices(stage, backend.devices())
                    : stage.stream().mapToInt(g -> placement.fixed(g.name(), backend.devices())).toArray();
            List<Executable> compiled = new ArrayList<>();
            for (int i = 0; i < stage.size(); i++) {
                Graph g = stage.get(i);
                int workers = placement.workers(g.name());
                compiled.add(devices[i] >= 0 ? backend.compile(g, workers, devices[i])
                        : workers > 0 ? backend.compile(g, workers) : backend.compile(g));
            }
            if (together) {
                out.add(backend.concurrent(compiled, devices));
            } else {
                out.addAll(compiled);
            }
        }
        return out;
    }

    /** Which device each graph of a stage runs on under MPMD, and how many workers a graph may use. */
    public static final class Placement {
        private final Map<String, Integer> fixed;
        private final Map<String, Integer> workers;

        private Placement(Map<String, Integer> fixed, Map<String, Integer> workers) {
            this.fixed = Map.copyOf(fixed);
            this.workers = Map.copyOf(workers);
        }

        /** Longest graph first onto the least-loaded device, counting tasks as the cost. */
        public static Placement automatic() {
            return new Placement(Map.of(), Map.of());
        }

        /** Named graphs on fixed devices (from a graph config); the rest placed automatically. */
        public static Placement of(Map<String, Integer> devices) {
            return new Placement(new HashMap<>(devices), Map.of());
        }

        /** Also limits named graphs to a number of workers when they run on all devices. */
        public static Placement of(Map<String, Integer> devices, Map<String, Integer> workers) {
            return new Placement(new HashMap<>(devices), new HashMap<>(workers));
        }

        /** The worker limit of a graph, or 0 for none. */
        int workers(String graph) {
            return workers.getOrDefault(graph, 0);
        }

        /** The device a graph config names for {@code graph}, or -1 for none. */
        int fixed(String graph, int deviceCount) {
            Integer d = fixed.get(graph);
            if (d != null && d >= deviceCount) {
                throw new IllegalArgumentException("graph " + graph + " is placed on device " + d + ", but there are only "
                        + deviceCount);
            }
            return d == null ? -1 : d;
        }

        int[] devices(List<Graph> stage, int deviceCount) {
            int[] device = new int[stage.size()];
            long[] load = new long[deviceCount];
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < stage.size(); i++) {
                Integer d = fixed.get(stage.get(i).name());
                if (d != null) {
                    if (d >= deviceCount) {
                        throw new IllegalArgumentException("graph " + stage.get(i).name() + " is placed on device " + d
                                + ", but there are only " + deviceCount);
                    }
                    device[i] = d;
                    load[d] += stage.get(i).tasks().size();
                } else {
                    order.add(i);
                }
            }
            order.sort((a, b) -> Integer.compare(stage.get(b).tasks().size(), stage.get(a).tasks().size()));
            for (int i : order) {
                int best = 0;
                for (int d = 1; d < deviceCount; d++) {
                    if (load[d] < load[best]) {
                        best = d;
                    }
                }
                device[i] = best;
                load[best] += stage.get(i).tasks().size();
            }
            return device;
        }
    }
}
