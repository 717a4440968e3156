package modej.model.method;

import modej.model.mode.ModeModel;
import modej.model.btx.BtxConfig;
import modej.model.btx.BtxModel;
import modej.model.btx.BtxParams;
import modej.engine.jvm.JvmBackend;
import modej.model.lora.LoraModel;
import modej.model.moelora.MoeLoraConfig;
import modej.model.moelora.MoeLoraModel;
import modej.model.moelora.MoeLoraParams;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.engine.graph.Task;
import modej.model.gpt.GptConfig;
import modej.model.gpt.GptParams;
import modej.model.gpt.LmGraphs;
import modej.model.lora.LoraParams;
import modej.model.mode.GateConfig;
import modej.model.mode.ModeConfig;
import modej.model.mode.ModeParams;
import modej.model.param.Slab;

/**
 * The costs a model reports count what its recorded graphs run. Independently of the models'
 * formulas, this test walks every task of the forward and backward graphs: FLOPs of each matmul
 * task (2 per multiply-add: forward, input gradient, weight gradient) and attention (4·T·d per
 * token and layer forward, twice that backward, the peer's convention); active parameters are the
 * slabs whose weights the forward graphs read.
 */
class CostCountTest {

    static final GptConfig TIED = new GptConfig(256, 16, 4, 2, 16, true);
    static final GptConfig UNTIED = new GptConfig(96, 16, 4, 2, 24, false);
    static final int B = 2, T = 16;
    static final Set<String> TARGETS = Set.of("qkv", "attn_proj", "fc", "fc_proj");

    static Stream<Arguments> models() {
        List<Arguments> all = new ArrayList<>();
        for (GptConfig c : List.of(TIED, UNTIED)) {
            String v = c.tiedHead() ? "" : ", untied head";
            all.add(model("frozen" + v, c, bb -> new BackboneModel(bb, false)));
            all.add(model("full" + v, c, bb -> new BackboneModel(bb, true)));
            all.add(model("lora" + v, c, bb -> new LoraModel("lora", bb, new LoraParams(c, 4, 8, TARGETS, 3))));
            all.add(model("lora qkv only" + v, c, bb -> new LoraModel("lora", bb, new LoraParams(c, 2, 8, Set.of("qkv"), 3))));
            all.add(model("moe-lora top-2" + v, c, bb -> new MoeLoraModel(bb, new MoeLoraParams(c,
                    new MoeLoraConfig(4, 2, 8, TARGETS, 2, 0.01f), 3))));
            all.add(model("moe-lora dense, qkv and fc_proj" + v, c, bb -> new MoeLoraModel(bb, new MoeLoraParams(c,
                    new MoeLoraConfig(3, 3, 8, Set.of("qkv", "fc_proj"), 0, 0f), 3))));
            all.add(model("mode-expert" + v, c, bb -> mode(bb, List.of("a"), GateConfig.DEFAULT, 2, 1, true)));
            all.add(model("mode dense" + v, c, bb -> mode(bb, List.of("a", "b"), GateConfig.DEFAULT, 2, 1, true)));
            all.add(model("mode top-1" + v, c, bb -> mode(bb, List.of("a", "b", "c"), new GateConfig(1, 1f, false, 0f), 2, 1, true)));
            all.add(model("mode top-2 gate only" + v, c,
                    bb -> mode(bb, List.of("a", "b", "c"), new GateConfig(2, 1f, false, 0.1f), 4, 1, false)));
            all.add(model("mode sequence gate top-1, 2 layers per expert" + v, c,
                    bb -> mode(bb, List.of("a", "b"), new GateConfig(1, 1f, true, 0f), 1, 2, true)));
            all.add(model("btx-branch" + v, c, bb -> new BtxModel("btx-branch", new BtxParams(bb, BtxConfig.branch("a"), 5), true, false)));
            all.add(model("btx-mix dense" + v, c, bb -> btx(bb, List.of("a", "b"), 0, true)));
            all.add(model("btx-mix top-1" + v, c, bb -> btx(bb, List.of("a", "b", "c"), 1, true)));
            all.add(model("btx-mix top-2 + balance" + v, c, bb -> btx(bb, List.of("a", "b", "c"), 2, true)));
            all.add(model("btx-mix top-2 router only" + v, c, bb -> btx(bb, List.of("a", "b"), 2, false)));
            // a trainable first backbone block makes the MoDE backward run through it
            all.add(model("mode with trainable first layer" + v, c, bb -> {
                AdaptedModel m = mode(bb, List.of("a", "b"), GateConfig.DEFAULT, 2, 1, true);
                bb.layer(0).makeTrainable();
                return m;
            }));
        }
        return all.stream();
    }

    static Arguments model(String name, GptConfig config, Function<GptParams, AdaptedModel> build) {
        return Arguments.of(Named.of(name, (java.util.function.Supplier<AdaptedModel>) () -> build.apply(new GptParams(config).init(1))));
    }

    static AdaptedModel mode(GptParams bb, List<String> experts, GateConfig gate, int blocks, int layers, boolean trainExperts) {
        ModeParams p = new ModeParams(bb, new ModeConfig(blocks, layers, experts, gate, "random"), 5);
        return new ModeModel(experts.size() == 1 ? "mode-expert" : "mode-compose", p, trainExperts, true);
    }

    static AdaptedModel btx(GptParams bb, List<String> experts, int topK, boolean trainExperts) {
        BtxParams p = new BtxParams(bb, new BtxConfig(experts, true, topK, 0.01f), 5);
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(6);
        float[] r = p.router().params().data();
        for (int i = 0; i < r.length; i++) {
            r[i] += (float) rnd.nextGaussian();   // a router far from uniform
        }
        return new BtxModel("btx-mix", p, trainExperts, true);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void costsCountTheTasksThatRun(java.util.function.Supplier<AdaptedModel> build) {
        AdaptedModel model = build.get();
        LmGraphs g = model.graphs(B, T);
        long rows = (long) B * T;
        // routed experts compute the rows their router sent them: run the forward to know which
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
        for (int i = 0; i < rows; i++) {
            g.tokens().data()[i] = rnd.nextInt(model.backbone().config().vocab());
            g.targets().data()[i] = rnd.nextInt(model.backbone().config().vocab());
        }
        try (JvmBackend be = new JvmBackend(2, true, false)) {
            be.toDevice(g.tokens(), g.targets());
            for (Graph graph : g.forward()) {
                be.compile(graph).run();
                graph.buffers().forEach(be::toHost);
            }
        }
        long forward = flops(g.forward());
        long backward = flops(g.backward());
        assertEquals(0, forward % rows);
        assertEquals(forward / rows, model.forwardFlopsPerToken(T), "forward FLOPs per token");
        assertEquals((forward + backward) / rows, model.trainFlopsPerToken(T), "training FLOPs per token");
        assertEquals(activeParams(g.forward(), model.slabs()) - unreadMlps(g.forward(), model.backbone()),
                (double) model.counts().activePerToken(), 1e-6, "active parameters");
    }

    /** FLOPs of the matmul and attention tasks of {@code graphs}, from each task's arguments. */
    static long flops(List<Graph> graphs) {
        long sum = 0;
        for (Graph graph : graphs) {
            for (Task t : graph.tasks()) {
                List<Object> a = t.args();
                String kernel = t.kernelName();
                sum += switch (kernel) {
                    // forward(out, inp, params, wOff, bOff, C, OC) over rows
                    case "Matmul.forward" -> 2L * t.work() * i(a, 5) * i(a, 6);
                    // forwardAccumulate / backwardInput(x, y, params, wOff, C, OC) over rows
                    case "Matmul.forwardAccumulate", "Matmul.backwardInput" -> 2L * t.work() * i(a, 4) * i(a, 5);
                    // backwardParams(grads, dwOff, dbOff, dout, inp, rows, C, OC) over OC
                    case "Matmul.backwardParams" -> 2L * i(a, 5) * i(a, 6) * i(a, 7);
                    // forward(out, att, qkv, T, C, NH) over B·NH·T query rows: 4·T·C per token
                    case "Attention.forward" -> 4L * i(a, 3) * i(a, 4) * (t.work() / i(a, 5));
                    // backwardScores(dpreatt, dout, att, qkv, T, C, NH), backwardInput(dqkv, dpreatt, att, qkv, dout, T, C, NH)
                    case "Attention.backwardScores" -> 4L * i(a, 4) * i(a, 5) * (t.work() / i(a, 6));
                    case "Attention.backwardInput" -> 4L * i(a, 5) * i(a, 6) * (t.work() / i(a, 7));
                    // RoutedMatmul: only the rows whose weights[row][source] is not 0 compute
                    // forward(out, inp, params, wOff, bOff, weights, source, E1, C, OC) over rows
                    case "RoutedMatmul.forward" -> 2L * routedRows(a, 5, t.work()) * i(a, 8) * i(a, 9);
                    // backwardInput(dinp, dout, params, wOff, weights, source, E1, C, OC) over rows
                    case "RoutedMatmul.backwardInput" -> 2L * routedRows(a, 4, t.work()) * i(a, 7) * i(a, 8);
                    // backwardParams(grads, dwOff, dbOff, dout, inp, weights, source, E1, rows, C, OC) over OC
                    case "RoutedMatmul.backwardParams" -> 2L * routedRows(a, 5, i(a, 8)) * i(a, 9) * i(a, 10);
                    default -> {
                        if (kernel.contains("Matmul.") || kernel.startsWith("Attention.")) {
                            throw new AssertionError("no FLOP count for " + kernel);
                        }
                        yield 0;
                    }
                };
            }
        }
        return sum;
    }

    static int i(List<Object> args, int k) {
        return (Integer) args.get(k);
    }

    /** Rows among the first {@code rows} routed to the task's source: weights (args[at]) ≠ 0 at column args[at+1] of args[at+2]. */
    static long routedRows(List<Object> args, int at, int rows) {
        float[] w = ((Buffer.F32) args.get(at)).data();
        int source = i(args, at + 1), E1 = i(args, at + 2);
        long n = 0;
        for (int r = 0; r < rows; r++) {
            n += w[r * E1 + source] != 0f ? 1 : 0;
        }
        return n;
    }

    /**
     * Per token, the backbone MLP weights no forward task reads (BTX replaces them by experts),
     * and the part of each routed expert's weights the tokens it skips do not read:
     * (1 − routed rows / rows) × its weight and bias.
     */
    static double unreadMlps(List<Graph> forward, GptParams backbone) {
        double unread = 0;
        for (Slab layer : backbone.layers()) {
            for (String target : List.of("fc", "fc_proj")) {
                int w = layer.offset(target + ".weight");
                boolean read = forward.stream().flatMap(g -> g.tasks().stream()).anyMatch(t -> t.kernelName().contains("Matmul.")
                        && t.args().get(2) == layer.params() && i(t.args(), 3) == w);
                if (!read) {
                    unread += layer.layout().get(target + ".weight").size() + layer.layout().get(target + ".bias").size();
                }
            }
        }
        for (Graph g : forward) {
            for (Task t : g.tasks()) {
                if (t.kernelName().equals("RoutedMatmul.forward")) {
                    List<Object> a = t.args();
                    long size = (long) i(a, 8) * i(a, 9) + (i(a, 4) >= 0 ? i(a, 9) : 0);
                    unread += (1 - (double) routedRows(a, 5, t.work()) / t.work()) * size;
                }
            }
        }
        return unread;
    }

    /** The total size of the slabs whose weights a forward task reads. */
    static long activeParams(List<Graph> forward, List<Slab> slabs) {
        Set<Buffer> read = Collections.newSetFromMap(new IdentityHashMap<>());
        forward.forEach(g -> read.addAll(g.buffers()));
        Map<Buffer, Slab> bySlab = new IdentityHashMap<>();
        slabs.forEach(s -> bySlab.put(s.params(), s));
        return bySlab.entrySet().stream().filter(e -> read.contains(e.getKey())).mapToLong(e -> e.getValue().size()).sum();
    }
}
