package modej.model.mode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import modej.engine.jvm.JvmBackend;
import modej.engine.plan.ExecutionPlan;
import modej.engine.plan.Strategy;
import modej.model.gpt.GptParams;
import modej.model.gpt.Runner;
import modej.model.param.AdamWSettings;
import modej.model.param.Slab;

class StrategyTest {

    /** 20 MoDE training steps; returns the losses and the trained expert weights. */
    static float[][] train(Strategy strategy, int threads) {
        GptParams backbone = new GptParams(ModeTest.BACKBONE).init(1);
        ModeParams m = new ModeParams(backbone, new ModeConfig(2, 1, List.of("a", "b"), GateConfig.DEFAULT, "copy:last"), 2);
        m.experts().forEach(Slab::makeTrainable);
        m.gate().makeTrainable();
        float[] losses = new float[20];
        try (JvmBackend be = new JvmBackend(threads, true, false)) {
            Runner r = new Runner(new ModeGraphs(m, 2, 8), be, AdamWSettings.DEFAULT,
                    new ExecutionPlan(strategy, ExecutionPlan.Placement.automatic()));
            for (int s = 0; s < 20; s++) {
                losses[s] = (float) r.trainStep(ModeTest.tokens(100 + s, 16), ModeTest.tokens(200 + s, 16), 3e-3f, s + 1).loss();
            }
        }
        return new float[][]{losses, m.expert("a").params().data(), m.expert("b").params().data(), m.gate().params().data()};
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
