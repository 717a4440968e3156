package modej.tasks.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import modej.engine.device.Backend;
import modej.engine.graph.Graph;
import modej.engine.plan.ExecutionPlan;
import modej.engine.plan.GraphConfig;
import modej.engine.plan.Strategy;
import modej.model.method.AdaptedModel;
import picocli.CommandLine.Option;

/**
 * {@code --strategy} and {@code --graph-config}, shared by the commands that place graphs on the
 * devices of {@code --backend} (bench, train): the {@link ExecutionPlan} a model's runner compiles
 * its graphs with. Without either option the plan is {@link ExecutionPlan#spmd()}, what every other
 * command runs.
 */
final class PlacementOptions {

    @Option(names = "--strategy", paramLabel = "spmd|mpmd", description = {
            "How graphs share the devices of --backend. spmd (default): graphs run one after another, each split over",
            "all of a backend's devices (on a device list: on the first device listed, or the one --graph-config names).",
            "mpmd: the independent graphs of a stage (a MoDE block's backbone and experts) run at once, each on its",
            "own device, placed by --graph-config or automatically. On jvm devices results are bit-identical either way."})
    String strategy;

    @Option(names = "--graph-config", paramLabel = "FILE", description = {"A task-graph config placing graphs on devices (jvm:0, jvm:1, ...;",
            "with --backend tornado:0,jvm: tornado:0 and jvm), e.g. b*.expert.*.device=jvm:1, head.workers=1 (README, \"TornadoVM\")."})
    Path graphConfig;

    private GraphConfig config;

    /** Whether {@code --strategy} was given. */
    boolean strategyGiven() {
        return strategy != null;
    }

    /** Checks both options without a model or backend (the strategy's name, the config's file), to fail before work. */
    void check() {
        strategy();
        config();
    }

    /**
     * The plan for {@code model}'s graphs on {@code backend}'s devices; a graph config's graph and
     * device names are checked against the model's graphs and {@link Backend#deviceNames()}.
     */
    ExecutionPlan plan(AdaptedModel model, Backend backend) {
        if (config() == null) {
            return new ExecutionPlan(strategy(), ExecutionPlan.Placement.automatic());
        }
        var graphs = model.graphs(1, 1); // for the names only; they do not depend on the shape
        List<String> names = Stream.concat(graphs.forward().stream(), graphs.backward().stream()).map(Graph::name).toList();
        return new ExecutionPlan(strategy(), config.placement(names, backend.deviceNames()));
    }

    private Strategy strategy() {
        if (strategy == null) {
            return Strategy.SPMD;
        }
        try {
            return Strategy.parse(strategy);
        } catch (IllegalArgumentException e) {
            throw new UserError("--strategy: " + e.getMessage());
        }
    }

    private GraphConfig config() {
        if (config == null && graphConfig != null) {
            config = GraphConfig.read(graphConfig);
        }
        return config;
    }
}
