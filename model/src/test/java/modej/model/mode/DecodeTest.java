package modej.model.mode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.engine.jvm.JvmBackend;
import modej.model.method.AdaptedModel;
import modej.model.method.BackboneModel;
import modej.model.lora.LoraModel;
import modej.model.btx.BtxConfig;
import modej.model.btx.BtxModel;
import modej.model.btx.BtxParams;
import modej.model.mode.ModeModel;
import modej.model.moelora.MoeLoraConfig;
import modej.model.moelora.MoeLoraModel;
import modej.model.moelora.MoeLoraParams;
import modej.model.gpt.DecodeRunner;
import modej.model.gpt.GptConfig;
import modej.model.gpt.GptParams;
import modej.model.gpt.LmGraphs;
import modej.model.lora.LoraParams;
import modej.model.lora.LoraSlot;
import modej.model.param.Slab;

/**
 * Incremental decoding with key/value caches against the full forward, for every model kind the
 * tool saves: the logits of the cached step at position t equal the full forward's logits at t
 * (computed on the prefix 0..t alone, which is what the model sees at t under any causal gate),
 * and greedy generation picks the same tokens both ways.
 */
class DecodeTest {

    static final GptConfig CFG = new GptConfig(256, 8, 4, 2, 16, true);
    static final int B = 2;



    static void randomise(Slab s, long seed, double std) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] p = s.params().data();
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (r.nextGaussian() * std);
        }
    }

    /** A model of the named kind on a random backbone, every part non-trivial (LoRA B and the gate random). */
    static AdaptedModel model(String kind) {
        GptParams backbone = new GptParams(CFG).init(1);
        return switch (kind) {
            case "backbone" -> new BackboneModel(backbone, false);
            case "full" -> {
                randomise(backbone.layer(1), 7, 0.2);   // weights a full fine-tuning changed
                yield new BackboneModel(backbone, false);
            }
            case "lora" -> {
                LoraParams lora = new LoraParams(CFG, 3, 6f, Set.of("qkv", "attn_proj", "fc", "fc_proj"), 2);
                randomise(lora.slab(), 3, 0.3);
                yield new LoraModel("lora", backbone, lora);
            }
            case "moe-lora", "moe-lora-dense" -> {
                MoeLoraParams m = new MoeLoraParams(CFG, new MoeLoraConfig(3, 2, 4f, Set.of("qkv", "attn_proj", "fc", "fc_proj"),
                        kind.equals("moe-lora") ? 2 : 0, 0.01f), 2);
                randomise(m.slab(), 3, 0.3);
                yield new MoeLoraModel(backbone, m);
            }
            case "btx-branch" -> {
                BtxParams b = new BtxParams(backbone, BtxConfig.branch("code"), 4);
                randomise(b.expert("code"), 3, 0.2);
                yield new BtxModel("btx-branch", b, false, false);
            }
            case "btx-dense", "btx-top1", "btx-top2" -> {
                int topK = kind.equals("btx-dense") ? 0 : kind.charAt(kind.length() - 1) - '0';
                BtxParams b = new BtxParams(backbone, new BtxConfig(List.of("code", "math"), true, topK, 0.01f), 4);
                randomise(b.expert("math"), 3, 0.2);
                randomise(b.router(), 5, 0.5);
                yield new BtxModel("btx-mix", b, false, false);
            }
            default -> {
                boolean seq = kind.startsWith("mode-sequence");
                int topK = kind.endsWith("top1") ? 1 : 0;
                ModeParams m = new ModeParams(backbone, new ModeConfig(2, 1, List.of("code", "math"),
                        new GateConfig(topK, 1f, seq, 0f), "random"), 4);
                randomise(m.gate(), 5, 0.5);
                yield new ModeModel("mode", m, false, false);
            }
        };
    }

    /** Full-forward logits (seq, V) of each sequence's first {@code seq} tokens: row b·seq + t. */
    static float[] fullLogits(AdaptedModel m, JvmBackend be, int[][] tokens, int seq) {
        LmGraphs g = m.graphs(B, seq);
        for (int b = 0; b < B; b++) {
            System.arraycopy(tokens[b], 0, g.tokens().data(), b * seq, seq);
        }
        java.util.Arrays.fill(g.targets().data(), -1);
        for (Graph graph : g.forward()) {
            be.compile(graph).run();
        }
        for (Buffer buffer : g.forward().get(g.forward().size() - 1).buffers()) {
            if (buffer.name().equals("logits")) {
                be.toHost(buffer); // the kernels wrote it on the (tracked) device
                return ((Buffer.F32) buffer).data().clone();
            }
        }
        throw new AssertionError("no logits buffer");
    }

    /**
     * With the portable kernels (vectors off) the cached step runs the same float operations in the
     * same order as the full forward, so the logits are bit-identical; with the Vector API fast
     * paths (which only the full forward's shapes use for attention) they agree within
     * 1e-4·(1 + |logit|).
     */
    @ParameterizedTest
    @ValueSource(strings = {"backbone", "full", "lora", "moe-lora", "moe-lora-dense", "mode-token", "mode-sequence", "mode-top1",
            "mode-sequence-top1", "btx-branch", "btx-dense", "btx-top1", "btx-top2"})
    void cachedLogitsEqualTheFullForwardAtEveryPosition(String kind) {
        AdaptedModel m = model(kind);
        int T = CFG.context(), V = CFG.vocab();
        int[][] tokens = {ModeTest.tokens(11, T), ModeTest.tokens(12, T)};
        for (boolean vector : new boolean[]{false, true}) {
            try (JvmBackend be = new JvmBackend(2, vector, false)) {
                DecodeRunner run = new DecodeRunner(m.decoder(B), be);
                for (int t = 0; t < T; t++) {
                    float[] full = fullLogits(m, be, tokens, t + 1);
                    run.step(new int[]{tokens[0][t], tokens[1][t]}, new int[]{t, t});
                    for (int b = 0; b < B; b++) {
                        int from = (b * (t + 1) + t) * V;
                        float[] expected = java.util.Arrays.copyOfRange(full, from, from + V);
                        float[] got = java.util.Arrays.copyOfRange(run.logits(), b * V, b * V + V);
                        if (!vector) {
                            assertArrayEquals(expected, got, kind + ": row " + b + ", position " + t);
                        } else {
                            for (int v = 0; v < V; v++) {
                                assertEquals(expected[v], got[v], 1e-4 * (1 + Math.abs(expected[v])),
                                        kind + ": row " + b + ", position " + t + ", token " + v);
                            }
                        }
                    }
                }
            }
        }
    }

    /** Rows at different positions in one step (one sequence ahead of the other) and a restarted sequence. */
    @Test
    void rowsDecodeAtTheirOwnPositionsAndPositionZeroRestarts() {
        AdaptedModel m = model("mode-sequence");
        int T = CFG.context(), V = CFG.vocab();
        int[][] tokens = {ModeTest.tokens(21, T), ModeTest.tokens(22, T)};
        try (JvmBackend be = new JvmBackend(2, false, false)) {
            float[] full = fullLogits(m, be, tokens, T);
            DecodeRunner run = new DecodeRunner(m.decoder(B), be);
            // a run of junk in row 1 first, then restarted at 0: nothing of it may remain
            for (int t = 0; t < 4; t++) {
                run.step(new int[]{tokens[0][t], 255 - t}, new int[]{t, t});
            }
            // row 0 continues from 4; row 1 restarts from 0 and lags 4 behind
            for (int t = 4; t < T + 4; t++) {
                int t0 = Math.min(t, T - 1), t1 = t - 4;   // row 0 repeats its last position when done
                run.step(new int[]{tokens[0][t0], tokens[1][t1]}, new int[]{t0, t1});
                float[] full0 = prefixLogits(m, be, tokens, t0);
                float[] full1 = prefixLogits(m, be, tokens, t1);
                assertArrayEquals(java.util.Arrays.copyOfRange(full0, t0 * V, t0 * V + V),
                        java.util.Arrays.copyOfRange(run.logits(), 0, V), "row 0 at " + t0);
                int r1 = ((t1 + 1) + t1) * V;
                assertArrayEquals(java.util.Arrays.copyOfRange(full1, r1, r1 + V),
                        java.util.Arrays.copyOfRange(run.logits(), V, 2 * V), "row 1 at " + t1);
            }
            assertEquals(B * T * V, full.length);
        }
    }

    private static float[] prefixLogits(AdaptedModel m, JvmBackend be, int[][] tokens, int t) {
        return fullLogits(m, be, tokens, t + 1);
    }

    /** Greedy generation: the argmax of the full forward on the text so far, and of the cached step, pick the same tokens. */
    @ParameterizedTest
    @ValueSource(strings = {"backbone", "lora", "moe-lora", "mode-token", "mode-sequence-top1"})
    void greedyGenerationPicksTheSameTokensBothWays(String kind) {
        AdaptedModel m = model(kind);
        int T = CFG.context(), V = CFG.vocab(), prompt = 3;
        int[][] slow = {ModeTest.tokens(31, T), ModeTest.tokens(32, T)};
        int[][] fast = {slow[0].clone(), slow[1].clone()};
        try (JvmBackend be = new JvmBackend(2, true, false)) {
            for (int t = prompt - 1; t < T - 1; t++) {
                float[] full = fullLogits(m, be, slow, t + 1);
                for (int b = 0; b < B; b++) {
                    slow[b][t + 1] = argmax(full, (b * (t + 1) + t) * V, V);
                }
            }
            DecodeRunner run = new DecodeRunner(m.decoder(B), be);
            for (int t = 0; t < T - 1; t++) {
                run.step(new int[]{fast[0][t], fast[1][t]}, new int[]{t, t});
                if (t >= prompt - 1) {
                    for (int b = 0; b < B; b++) {
                        fast[b][t + 1] = argmax(run.logits(), b * V, V);
                    }
                }
            }
        }
        assertArrayEquals(slow[0], fast[0], kind);
        assertArrayEquals(slow[1], fast[1], kind);
    }

    @Test
    void positionsOutsideTheContextAreRefused() {
        try (JvmBackend be = new JvmBackend(1, false, false)) {
            DecodeRunner run = new DecodeRunner(model("backbone").decoder(B), be);
            assertThrows(IllegalArgumentException.class, () -> run.step(new int[]{1, 2}, new int[]{0, CFG.context()}));
        }
    }

    static int argmax(float[] a, int from, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (a[from + i] > a[from + best]) {
                best = i;
            }
        }
        return best;
    }
}
