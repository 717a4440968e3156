package modej.model.method;

import modej.model.lora.LoraModel;
import modej.model.mode.ModeModel;
import modej.model.moelora.MoeLoraConfig;
import modej.model.moelora.MoeLoraModel;
import modej.model.moelora.MoeLoraParams;
import modej.model.btx.BtxConfig;
import modej.model.btx.BtxModel;
import modej.model.btx.BtxParams;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import modej.engine.jvm.JvmBackend;
import modej.model.gpt.GptConfig;
import modej.model.gpt.GptParams;
import modej.model.gpt.LmGraphs;
import modej.model.lora.LoraParams;
import modej.model.mode.GateConfig;
import modej.model.mode.ModeConfig;
import modej.model.mode.ModeParams;
import modej.model.param.Slab;

/**
 * Every model kind the tool builds is causal: changing the tokens (and targets) after position t
 * leaves the softmax output and the per-position loss at every position ≤ t bit-identical.
 *
 * <p>To cover a new model kind, add one line to {@link #models()}: a name and a function from a
 * fresh backbone to the adapted model. Every slab is then perturbed with random noise, so that
 * zero-initialised parts (LoRA's B, a near-uniform gate) take part in the outputs.
 */
class CausalityTest {

    static final GptConfig CONFIG = new GptConfig(256, 16, 4, 2, 16, true);
    static final int B = 2, T = 16;

    static Stream<Arguments> models() {
        return Stream.of(
                model("frozen backbone", bb -> new BackboneModel(bb, false)),
                model("full fine-tuning", bb -> new BackboneModel(bb, true)),
                model("lora", bb -> new LoraModel("lora", bb, new LoraParams(CONFIG, 4, 8, Set.of("qkv", "attn_proj", "fc", "fc_proj"), 3))),
                model("moe-lora top-2 + balance", bb -> new MoeLoraModel(bb, new MoeLoraParams(CONFIG,
                        new MoeLoraConfig(4, 2, 4f, Set.of("qkv", "attn_proj", "fc", "fc_proj"), 2, 0.1f), 3))),
                model("moe-lora dense, fc only", bb -> new MoeLoraModel(bb, new MoeLoraParams(CONFIG,
                        new MoeLoraConfig(3, 2, 4f, Set.of("fc"), 0, 0f), 3))),
                model("mode-expert (stage 1)", bb -> mode(bb, List.of("code"), GateConfig.DEFAULT)),
                model("mode dense", bb -> mode(bb, List.of("a", "b"), GateConfig.DEFAULT)),
                model("mode top-1", bb -> mode(bb, List.of("a", "b"), new GateConfig(1, 1f, false, 0f))),
                model("mode top-2", bb -> mode(bb, List.of("a", "b"), new GateConfig(2, 1f, false, 0f))),
                model("mode temperature 0.5 + balance", bb -> mode(bb, List.of("a", "b"), new GateConfig(0, 0.5f, false, 0.1f))),
                model("mode sequence gate", bb -> mode(bb, List.of("a", "b"), new GateConfig(0, 1f, true, 0f))),
                model("mode sequence gate top-1", bb -> mode(bb, List.of("a", "b"), new GateConfig(1, 1f, true, 0f))),
                model("mode sequence gate top-2 temperature 2 + balance",
                        bb -> mode(bb, List.of("a", "b", "c"), new GateConfig(2, 2f, true, 0.1f))),
                model("btx-branch (stage 1)", bb -> new BtxModel("btx-branch", new BtxParams(bb, BtxConfig.branch("code"), 5), true, false)),
                model("btx-mix dense", bb -> btx(bb, 0)),
                model("btx-mix top-1", bb -> btx(bb, 1)),
                model("btx-mix top-2 + balance", bb -> btx(bb, 2)));
    }

    static Arguments model(String name, Function<GptParams, AdaptedModel> build) {
        return Arguments.of(Named.of(name, build));
    }

    static AdaptedModel mode(GptParams backbone, List<String> experts, GateConfig gate) {
        ModeParams p = new ModeParams(backbone, new ModeConfig(2, 1, experts, gate, "random"), 5);
        return new ModeModel(experts.size() == 1 ? "mode-expert" : "mode-compose", p, true, true);
    }

    static AdaptedModel btx(GptParams backbone, int topK) {
        return new BtxModel("btx-mix", new BtxParams(backbone, new BtxConfig(List.of("a", "b"), true, topK, 0.01f), 5), true, true);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void laterTokensDoNotChangeEarlierOutputs(Function<GptParams, AdaptedModel> build) {
        AdaptedModel model = build.apply(new GptParams(CONFIG).init(1));
        perturb(model.slabs(), 2);
        LmGraphs graphs = model.graphs(B, T);
        SplittableRandom rnd = new SplittableRandom(7);
        int[] tokens = random(rnd, B * T), targets = random(rnd, B * T);
        try (JvmBackend backend = new JvmBackend(2, true, false)) {
            Outputs base = forward(graphs, backend, tokens, targets);
            for (int t : new int[]{0, 1, T / 2, T - 2}) {
                int[] tok = tokens.clone(), tgt = targets.clone();
                for (int b = 0; b < B; b++) {
                    for (int s = t + 1; s < T; s++) {
                        tok[b * T + s] = (tokens[b * T + s] + 1 + rnd.nextInt(255)) % 256;   // always a different token
                        tgt[b * T + s] = rnd.nextInt(256);
                    }
                }
                Outputs changed = forward(graphs, backend, tok, tgt);
                for (int b = 0; b < B; b++) {
                    for (int s = 0; s <= t; s++) {
                        int r = b * T + s;
                        int V = CONFIG.vocab();
                        if (!Arrays.equals(base.probs, r * V, (r + 1) * V, changed.probs, r * V, (r + 1) * V)) {
                            fail("sequence " + b + ", position " + s + ": the output changed when tokens after " + t + " changed");
                        }
                        assertEquals(Float.floatToRawIntBits(base.losses[r]), Float.floatToRawIntBits(changed.losses[r]),
                                "sequence " + b + ", position " + s + ": the loss changed when tokens after " + t + " changed");
                    }
                }
                // the change is visible after t, so the test compares outputs that do react to tokens
                int r = T - 1;
                assertFalse(Arrays.equals(base.probs, r * CONFIG.vocab(), (r + 1) * CONFIG.vocab(),
                        changed.probs, r * CONFIG.vocab(), (r + 1) * CONFIG.vocab()), "the last position should change");
            }
        }
    }

    record Outputs(float[] probs, float[] losses) {
    }

    static Outputs forward(LmGraphs g, JvmBackend backend, int[] tokens, int[] targets) {
        System.arraycopy(tokens, 0, g.tokens().data(), 0, tokens.length);
        System.arraycopy(targets, 0, g.targets().data(), 0, targets.length);
        backend.toDevice(g.tokens(), g.targets());
        for (var graph : g.forward()) {
            backend.compile(graph).run();
        }
        backend.toHost(g.probs(), g.losses());
        return new Outputs(g.probs().data().clone(), g.losses().data().clone());
    }

    /** Adds Gaussian noise to every weight: std 1 for a gate (decisive, varied routing), 0.1 elsewhere. */
    static void perturb(List<Slab> slabs, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (Slab s : slabs) {
            float[] w = s.params().data();
            double std = s.name().equals("gate") ? 1.0 : 0.1;
            for (int i = 0; i < w.length; i++) {
                w[i] += (float) (rnd.nextGaussian() * std);
            }
        }
    }

    static int[] random(SplittableRandom rnd, int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = rnd.nextInt(256);
        }
        return a;
    }
}
