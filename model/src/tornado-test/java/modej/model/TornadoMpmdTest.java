package modej.model;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import modej.engine.device.Backend;
import modej.engine.device.ComposedBackend;
import modej.engine.jvm.JvmBackend;
import modej.engine.plan.ExecutionPlan;
import modej.engine.plan.GraphConfig;
import modej.engine.plan.Strategy;
import modej.engine.tornado.TornadoBackend;
import modej.model.gpt.GptConfig;
import modej.model.gpt.GptParams;
import modej.model.gpt.Runner;
import modej.model.mode.GateConfig;
import modej.model.mode.ModeConfig;
import modej.model.mode.ModeGraphs;
import modej.model.mode.ModeParams;
import modej.model.param.AdamWSettings;
import modej.model.param.Slab;

/**
 * MPMD across devices: a MoDE model's experts on one device, its backbone (and gate, ends,
 * optimizer) on another, through {@link ComposedBackend}; trained against the JVM backend alone,
 * and the spans of each block's backbone and expert graphs checked for overlap in time.
 */
@Tag("tornado")
class TornadoMpmdTest {

    static final int STEPS = 8;

    /** A fresh MoDE model (same seeds every call): losses of STEPS steps, then every slab's weights. */
    static List<float[]> train(Backend be, ExecutionPlan plan) {
        GptParams backbone = new GptParams(new GptConfig(256, 16, 4, 2, 32, true)).init(12);
        ModeParams m = new ModeParams(backbone, new ModeConfig(2, 1, List.of("code", "math"),
                new GateConfig(1, 1f, false, 0.01f), "copy:last"), 13);
        m.experts().forEach(Slab::makeTrainable);
        m.gate().makeTrainable();
        Runner r = new Runner(new ModeGraphs(m, 2, 16), be, AdamWSettings.DEFAULT, plan);
        int[] text = TornadoTrainingTest.tokens(100, 33);
        int[] in = java.util.Arrays.copyOf(text, 32), tg = java.util.Arrays.copyOfRange(text, 1, 33);
        float[] losses = new float[STEPS];
        for (int s = 0; s < STEPS; s++) {
            losses[s] = (float) r.trainStep(in, tg, 1e-2f, s + 1).loss();
        }
        r.slabsToHost();
        List<float[]> out = new ArrayList<>();
        out.add(losses);
        m.experts().forEach(x -> out.add(x.params().data().clone()));
        out.add(m.gate().params().data().clone());
        return out;
    }

    static List<String> graphNames() {
        GptParams backbone = new GptParams(new GptConfig(256, 16, 4, 2, 32, true));
        ModeGraphs g = new ModeGraphs(new ModeParams(backbone, new ModeConfig(2, 1, List.of("code", "math"),
                new GateConfig(1, 1f, false, 0.01f), "copy:last"), 13), 2, 16);
        return java.util.stream.Stream.concat(g.forward().stream(), g.backward().stream())
                .map(modej.engine.graph.Graph::name).toList();
    }

    /** Trains on {@code be} with the experts on device {@code expertDevice}, the rest on the first; compares with the JVM alone. */
    static void compare(String what, ComposedBackend be, String expertDevice) {
        List<float[]> jvm;
        try (JvmBackend one = new JvmBackend(2, false, false)) {
            jvm = train(one, ExecutionPlan.spmd());
        }
        ExecutionPlan plan = new ExecutionPlan(Strategy.MPMD, GraphConfig.of(Map.of("b*.expert.*.device", expertDevice))
                .placement(graphNames(), be.deviceNames()));
        be.record(true);
        List<float[]> split = train(be, plan);
        float[] lj = jvm.get(0), ls = split.get(0);
        double worst = 0, param = 0;
        for (int s = 0; s < STEPS; s++) {
            worst = Math.max(worst, Math.abs(ls[s] - lj[s]) / Math.abs(lj[s]));
        }
        for (int i = 1; i < jvm.size(); i++) {
            for (int k = 0; k < jvm.get(i).length; k++) {
                param = Math.max(param, Math.abs(jvm.get(i)[k] - split.get(i)[k]));
            }
        }
        int stages = 0, overlapped = 0;
        List<ComposedBackend.Span> spans = be.spans();
        for (int i = 0; i < spans.size(); i++) {
            ComposedBackend.Span a = spans.get(i);
            if (!a.graph().matches("b\\d+\\.backbone(\\.backward)?")) {
                continue;
            }
            String expert = a.graph().replace(".backbone", ".expert.code");
            // the same stage's expert span: the nearest one recorded around this backbone span
            ComposedBackend.Span b = null;
            for (int j = Math.max(0, i - 3); j < Math.min(spans.size(), i + 4); j++) {
                if (spans.get(j).graph().equals(expert)) {
                    b = spans.get(j);
                }
            }
            assertTrue(b != null && b.device().equals(expertDevice) && !a.device().equals(expertDevice),
                    what + ": no expert span on " + expertDevice + " beside " + a);
            stages++;
            if (a.start() < b.end() && b.start() < a.end()) {
                overlapped++;
            }
        }
        System.out.printf("%s: worst relative loss difference %.2e over %d steps, largest weight difference %.2e, "
                + "backbone and expert overlapped in %d of %d stage runs, %,d bytes moved in %d copies%n",
                what, worst, STEPS, param, overlapped, stages, be.movedBytes(), be.moves());
        assertTrue(worst <= TornadoTrainingTest.LOSS_TOLERANCE, what + ": losses differ by " + worst + " relative");
        assertTrue(param < TornadoTrainingTest.PARAMETER_TOLERANCE, what + ": weights differ by up to " + param);
        assertTrue(lj[STEPS - 1] < lj[0] - 0.1, "the model did not learn: " + java.util.Arrays.toString(lj));
        // per step: each block's forward stage, and the backward stages that have a backbone graph (block 0's
        // has none: nothing before it needs its input gradient, and the backbone is frozen)
        assertTrue(stages == 3 * STEPS, what + ": expected 3 backbone-and-expert stages per step, saw " + stages);
        // Run one after another, no two spans would intersect. Not every stage run overlaps: this model's
        // graphs take about a millisecond, and the JVM's backbone graph can end before the other device's
        // thread wakes up (on PoCL, 9 to 18 of 24 overlapped with the JVM, 24 of 24 with two PoCL devices).
        assertTrue(overlapped > 0, what + ": backbone and expert never overlapped in " + stages + " stage runs");
    }

    @Test
    void expertsOnTornadoBackboneOnTheJvm() {
        int d = TornadoBackend.defaultDevice();
        try (ComposedBackend be = new ComposedBackend(List.of(
                new ComposedBackend.Member("jvm", new JvmBackend(1, false, false)),
                new ComposedBackend.Member("tornado:" + d, new TornadoBackend(d, false))))) {
            compare("jvm + tornado:" + d, be, "tornado:" + d);
        }
    }

    /** Needs two TornadoVM devices; PoCL shows two with POCL_DEVICES="pthread pthread". */
    @Test
    void expertsAndBackboneOnTwoTornadoDevices() {
        int devices = TornadoBackend.listDevices().size();
        assumeTrue(devices >= 2, "needs two TornadoVM devices, TornadoVM lists " + devices
                + " (PoCL lists two with POCL_DEVICES=\"pthread pthread\")");
        try (ComposedBackend be = new ComposedBackend(List.of(
                new ComposedBackend.Member("tornado:0", new TornadoBackend(0, false)),
                new ComposedBackend.Member("tornado:1", new TornadoBackend(1, false))))) {
            compare("tornado:0 + tornado:1", be, "tornado:1");
        }
    }
}
