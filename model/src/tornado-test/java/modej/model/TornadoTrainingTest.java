package modej.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import modej.engine.device.Backend;
import modej.engine.jvm.JvmBackend;
import modej.engine.tornado.TornadoBackend;
import modej.model.gpt.GptConfig;
import modej.model.gpt.GptGraphs;
import modej.model.gpt.GptParams;
import modej.model.lora.LoraParams;
import modej.model.lora.LoraSlot;
import modej.model.gpt.Runner;
import modej.model.mode.GateConfig;
import modej.model.mode.ModeConfig;
import modej.model.mode.ModeGraphs;
import modej.model.mode.ModeParams;
import modej.model.param.AdamWSettings;
import modej.model.param.Slab;

/**
 * Whole models trained on TornadoVM against the JVM backend's portable kernels: a GPT (embedding,
 * layer norm, attention, matmul, GELU, residual, cross-entropy, AdamW), a MoDE model (gate with
 * top-k and balance loss, experts beside the frozen backbone) and LoRA (scale, accumulating
 * matmul). Every kernel of the engine runs on the device here. Run with {@code mvn -Ptornado test}.
 */
@Tag("tornado")
class TornadoTrainingTest {

    /**
     * Loss agreement per step, relative. Larger than for a small perceptron: attention and layer
     * norm reduce over more terms, and the device rounds exp and multiply-adds its own way.
     */
    static final double LOSS_TOLERANCE = 1e-4;

    /**
     * Largest absolute difference of any weight after training: half an AdamW step at the test's
     * learning rate of 1e-2. (On PoCL's CPU device: GPT 6e-4 after 20 steps, MoDE 2e-4, LoRA 5e-6;
     * losses agreed to 3e-6, 3e-8 and 6e-9 relative.)
     */
    static final double PARAMETER_TOLERANCE = 5e-3;

    @BeforeAll
    static void bailoutsFail() {
        assertEquals("false", String.valueOf(System.getProperty("tornado.recover.bailout")).toLowerCase(),
                "run with -Dtornado.recover.bailout=False (the tornado profile's surefire argLine does)");
    }

    static int[] tokens(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextInt(256);
        }
        return a;
    }

    /** Losses of {@code steps} training steps of the graphs {@code model} records, on {@code backend}. */
    static double[] train(Function<Backend, Runner> model, Backend backend, int steps, int tokensPerBatch) {
        Runner r = model.apply(backend);
        double[] losses = new double[steps];
        // one text to memorise, sent again every step: the targets are the inputs shifted by one
        int[] text = tokens(100, tokensPerBatch + 1);
        int[] in = java.util.Arrays.copyOf(text, tokensPerBatch);
        int[] tg = java.util.Arrays.copyOfRange(text, 1, tokensPerBatch + 1);
        for (int s = 0; s < steps; s++) {
            losses[s] = r.trainStep(in, tg, 1e-2f, s + 1).loss();
        }
        return losses;
    }

    /** Trains the same model on both backends from the same initial state; compares losses and final parameters. */
    static void compare(String what, java.util.function.Supplier<List<Slab>> slabs, Function<Backend, Runner> model,
                        int steps, int tokensPerBatch) {
        List<float[]> initial = slabs.get().stream().map(s -> s.params().data().clone()).toList();
        double[] jvm;
        try (JvmBackend be = new JvmBackend(2, false, false)) {
            jvm = train(model, be, steps, tokensPerBatch);
        }
        List<float[]> afterJvm = slabs.get().stream().map(s -> s.params().data().clone()).toList();
        List<Slab> all = slabs.get();
        for (int i = 0; i < all.size(); i++) {
            System.arraycopy(initial.get(i), 0, all.get(i).params().data(), 0, initial.get(i).length);
            if (all.get(i).trainable()) {
                all.get(i).grads().zero();
                all.get(i).m().zero();
                all.get(i).v().zero();
            }
        }
        double[] device;
        try (TornadoBackend be = new TornadoBackend()) {
            device = train(model, be, steps, tokensPerBatch);
        } // closing copies every buffer back to the host
        double worst = 0;
        for (int s = 0; s < steps; s++) {
            double rel = Math.abs(device[s] - jvm[s]) / Math.abs(jvm[s]);
            worst = Math.max(worst, rel);
            System.out.printf("%s step %2d  loss jvm %.7f  tornado %.7f  rel diff %.2e%n", what, s + 1, jvm[s], device[s], rel);
        }
        double param = 0;
        for (int i = 0; i < all.size(); i++) {
            float[] a = afterJvm.get(i), b = all.get(i).params().data();
            for (int k = 0; k < a.length; k++) {
                param = Math.max(param, Math.abs(a[k] - b[k]));
            }
        }
        System.out.printf("%s: worst relative loss difference over %d steps %.2e (tolerance %.0e), "
                + "largest parameter difference %.2e%n", what, steps, worst, LOSS_TOLERANCE, param);
        assertTrue(worst <= LOSS_TOLERANCE, what + ": losses differ by " + worst + " relative");
        assertTrue(param < PARAMETER_TOLERANCE, what + ": parameters differ by up to " + param);
        assertTrue(jvm[steps - 1] < jvm[0] - 0.1, what + " did not learn: " + java.util.Arrays.toString(jvm));
    }

    @Test
    void gptTrainsAsOnTheJvm() {
        GptParams p = new GptParams(new GptConfig(256, 32, 2, 4, 48, true)).init(13).makeTrainable();
        compare("gpt", p::slabs, be -> Runner.of(p, 3, 32, be, AdamWSettings.DEFAULT), 20, 96);
    }

    @Test
    void modeTrainsAsOnTheJvm() {
        GptParams backbone = new GptParams(new GptConfig(256, 16, 4, 2, 32, true)).init(12);
        ModeParams m = new ModeParams(backbone, new ModeConfig(2, 1, List.of("code", "math"),
                new GateConfig(1, 1f, false, 0.01f), "copy:last"), 13);
        m.experts().forEach(Slab::makeTrainable);
        m.gate().makeTrainable();
        java.util.function.Supplier<List<Slab>> slabs = () -> {
            List<Slab> all = new java.util.ArrayList<>(backbone.slabs());
            all.addAll(m.experts());
            all.add(m.gate());
            return all;
        };
        compare("mode", slabs, be -> new Runner(new ModeGraphs(m, 2, 16), be, AdamWSettings.DEFAULT), 10, 32);
    }

    @Test
    void loraTrainsAsOnTheJvm() {
        GptConfig cfg = new GptConfig(256, 16, 2, 2, 32, true);
        GptParams p = new GptParams(cfg).init(8);
        LoraParams lora = new LoraParams(cfg, 4, 8f, Set.copyOf(LoraSlot.TARGETS), 9);
        lora.slab().makeTrainable();
        java.util.function.Supplier<List<Slab>> slabs = () -> {
            List<Slab> all = new java.util.ArrayList<>(p.slabs());
            all.add(lora.slab());
            return all;
        };
        compare("lora", slabs, be -> new Runner(new GptGraphs(p, lora, 2, 16), be, AdamWSettings.DEFAULT), 10, 32);
    }
}
