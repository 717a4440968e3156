package modej.model.mode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import modej.engine.device.Backend;
import modej.engine.device.ComposedBackend;
import modej.engine.jvm.JvmBackend;
import modej.engine.plan.GraphConfig;
import modej.engine.plan.ExecutionPlan;
import modej.engine.plan.Strategy;
import modej.model.gpt.GptParams;
import modej.model.gpt.Runner;
import modej.model.param.AdamWSettings;
import modej.model.param.Slab;

class StrategyTest {

    /** 20 MoDE training steps; returns the losses and the trained expert weights. */
    static float[][] train(Strategy strategy, int threads) {
        try (JvmBackend be = new JvmBackend(threads, true, false)) {
            return train(be, new ExecutionPlan(strategy, ExecutionPlan.Placement.automatic()));
        }
    }

    static float[][] train(Backend be, ExecutionPlan plan) {
        GptParams backbone = new GptParams(ModeTest.BACKBONE).init(1);
        ModeParams m = new ModeParams(backbone, new ModeConfig(2, 1, List.of("a", "b"), GateConfig.DEFAULT, "copy:last"), 2);
        m.experts().forEach(Slab::makeTrainable);
        m.gate().makeTrainable();
        float[] losses = new float[20];
        Runner r = new Runner(new ModeGraphs(m, 2, 8), be, AdamWSettings.DEFAULT, plan);
        for (int s = 0; s < 20; s++) {
            losses[s] = (float) r.trainStep(ModeTest.tokens(100 + s, 16), ModeTest.tokens(200 + s, 16), 3e-3f, s + 1).loss();
        }
        r.slabsToHost();
        return new float[][]{losses, m.expert("a").params().data(), m.expert("b").params().data(), m.gate().params().data()};
    }

    /**
     * Two JVM backends as two devices of a composed backend, each with memory of its own (the test
     * suite's transfer tracking): experts on one, backbone and the rest on the other, so block
     * inputs, expert outputs, their gradients and the experts' weights move between them every step.
     */
    @Test
    void expertsOnAnotherDeviceTrainBitIdentically() {
        float[][] one = train(Strategy.SPMD, 1);
        try (ComposedBackend be = new ComposedBackend(List.of(new ComposedBackend.Member("jvm", new JvmBackend(1, true, false)),
                new ComposedBackend.Member("other", new JvmBackend(1, true, false))))) {
            ExecutionPlan.Placement experts = GraphConfig.of(Map.of("b*.expert.*.device", "other"))
                    .placement(graphNames(), be.deviceNames());
            be.record(true);
            float[][] split = train(be, new ExecutionPlan(Strategy.MPMD, experts));
            for (int i = 0; i < one.length; i++) {
                assertArrayEquals(one[i], split[i], "experts on another device vs one backend, array " + i);
            }
            assertTrue(be.moves() > 0, "nothing moved between the devices");
            assertTrue(be.spans().stream().anyMatch(s -> s.graph().startsWith("b0.expert.") && s.device().equals("other")));
            assertTrue(be.spans().stream().anyMatch(s -> s.graph().equals("b0.backbone") && s.device().equals("jvm")));
        }
    }

    static List<String> graphNames() {
        GptParams backbone = new GptParams(ModeTest.BACKBONE);
        ModeGraphs g = new ModeGraphs(new ModeParams(backbone, new ModeConfig(2, 1, List.of("a", "b"), GateConfig.DEFAULT,
                "copy:last"), 2), 2, 8);
        return java.util.stream.Stream.concat(g.forward().stream(), g.backward().stream()).map(modej.engine.graph.Graph::name).toList();
    }

    @Test
    void mpmdAndSpmdGiveBitIdenticalTraining() {
        float[][] spmd = train(Strategy.SPMD, 2), mpmd = train(Strategy.MPMD, 2), one = train(Strategy.SPMD, 1);
        for (int i = 0; i < spmd.length; i++) {
            assertArrayEquals(spmd[i], mpmd[i], "mpmd vs spmd, array " + i);
            assertArrayEquals(spmd[i], one[i], "2 threads vs 1, array " + i);
        }
    }
}
