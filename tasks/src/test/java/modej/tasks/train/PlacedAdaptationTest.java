package modej.tasks.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import modej.engine.device.Backend;
import modej.engine.device.ComposedBackend;
import modej.engine.graph.Graph;
import modej.engine.jvm.JvmBackend;
import modej.engine.plan.ExecutionPlan;
import modej.engine.plan.GraphConfig;
import modej.engine.plan.Strategy;
import modej.model.checkpoint.Safetensors;
import modej.model.gpt.GptConfig;
import modej.model.gpt.GptParams;
import modej.model.mode.GateConfig;
import modej.model.mode.ModeConfig;
import modej.model.mode.ModeModel;
import modej.model.mode.ModeParams;
import modej.model.param.AdamWSettings;
import modej.tasks.data.BatchSampler;

/**
 * {@link Adaptation#train} under an execution plan: a MoDE stage 2 (two experts and the gate
 * trained, validation during training) gives bit for bit the losses, validation results and saved
 * weights of the plain run, whether its experts run under MPMD on another member of a device list
 * (two JVM backends with memories of their own, as {@code ComposedBackend} keeps them), placed
 * automatically over the list, or under MPMD on one device.
 */
class PlacedAdaptationTest {

    static final GptConfig CONFIG = new GptConfig(64, 16, 2, 2, 16, true);
    static final int BATCH = 2, SEQ = 8, STEPS = 4;
    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    @TempDir
    Path dir;

    /** What a run produced: every step's loss, the last validation, the saved file. */
    record Trained(List<Double> losses, TrainingLoop.Evaluation last, Path file) {
    }

    static ModeModel model() {
        GptParams backbone = new GptParams(CONFIG).init(5);
        ModeConfig cfg = new ModeConfig(2, 1, List.of("a", "b"), GateConfig.DEFAULT, "copy:last");
        return new ModeModel("mode-compose", new ModeParams(backbone, cfg, 6), true, true);
    }

    static int[] tokens(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = r.nextInt(CONFIG.vocab());
        }
        return t;
    }

    /** {@code plan} null: the overload without a plan, as train ran before it took one. */
    Trained train(String name, Backend be, ExecutionPlan plan) throws IOException {
        ModeModel m = model();
        TrainingSettings s = new TrainingSettings(BATCH, SEQ, STEPS, new LearningRate(3e-3f, 3e-4f, 1, STEPS),
                AdamWSettings.DEFAULT, 2, 2, 7, 0f);
        List<Double> losses = new ArrayList<>();
        Path out = dir.resolve(name + ".safetensors");
        BatchSampler batches = new BatchSampler(tokens(1, 2_000), BATCH, SEQ, 7);
        int[] held = tokens(2, 200);
        Adaptation.Outcome o = plan == null
                ? Adaptation.train(m, s, be, batches, held, out, Map.of(), QUIET, (step, loss) -> losses.add(loss), null, null)
                : Adaptation.train(m, s, be, plan, batches, held, out, Map.of(), QUIET, (step, loss) -> losses.add(loss), null, null);
        assertTrue(o.finished());
        return new Trained(losses, o.last(), out);
    }

    static void assertSame(Trained expected, Trained actual, String what) {
        assertEquals(STEPS, expected.losses().size());
        assertEquals(expected.losses(), actual.losses(), what + ": losses");
        assertEquals(expected.last().loss(), actual.last().loss(), what + ": validation loss");
        assertEquals(expected.last().accuracy(), actual.last().accuracy(), what + ": validation accuracy");
        var want = Safetensors.read(expected.file()).tensors();
        var got = Safetensors.read(actual.file()).tensors();
        assertEquals(want.keySet(), got.keySet(), what);
        want.forEach((tensor, data) -> assertEquals(data, got.get(tensor), what + ": " + tensor));
    }

    static ComposedBackend twoMembers() {
        return new ComposedBackend(List.of(new ComposedBackend.Member("jvm", new JvmBackend(1, true, false)),
                new ComposedBackend.Member("other", new JvmBackend(1, true, false))));
    }

    @Test
    void mpmdOnTwoMembersOfADeviceListTrainsAndSavesBitIdentically() throws IOException {
        Trained plain;
        try (JvmBackend be = new JvmBackend(1, true, false)) {
            plain = train("plain", be, null);
        }
        try (ComposedBackend be = twoMembers()) {
            var graphs = model().graphs(1, 1);
            List<String> names = Stream.concat(graphs.forward().stream(), graphs.backward().stream()).map(Graph::name).toList();
            ExecutionPlan experts = new ExecutionPlan(Strategy.MPMD,
                    GraphConfig.of(Map.of("b*.expert.*.device", "other")).placement(names, be.deviceNames()));
            be.record(true);
            Trained split = train("split", be, experts);
            assertSame(plain, split, "experts on the other member");
            assertTrue(be.moves() > 0, "nothing moved between the members");
            // training and validation both ran the experts on the other member, the backbone on the first
            assertTrue(be.spans().stream().anyMatch(s -> s.graph().equals("b1.expert.b.backward") && s.device().equals("other")));
            assertTrue(be.spans().stream().anyMatch(s -> s.graph().equals("b0.expert.a") && s.device().equals("other")));
            assertTrue(be.spans().stream().noneMatch(s -> s.graph().startsWith("b0.backbone") && !s.device().equals("jvm")));
        }
        try (ComposedBackend be = twoMembers()) {
            be.record(true);
            Trained automatic = train("automatic", be, new ExecutionPlan(Strategy.MPMD, ExecutionPlan.Placement.automatic()));
            assertSame(plain, automatic, "placed automatically");
            assertTrue(be.spans().stream().anyMatch(s -> s.device().equals("other")), "nothing ran on the second member");
        }
    }

    @Test
    void mpmdOnOneDeviceEqualsSpmd() throws IOException {
        try (JvmBackend be = new JvmBackend(1, true, false)) {
            Trained spmd = train("spmd", be, ExecutionPlan.spmd());
            Trained mpmd = train("mpmd", be, new ExecutionPlan(Strategy.MPMD, ExecutionPlan.Placement.automatic()));
            assertSame(spmd, mpmd, "mpmd on one device");
        }
    }
}
