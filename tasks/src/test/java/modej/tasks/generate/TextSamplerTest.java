package modej.tasks.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import modej.engine.jvm.JvmBackend;
import modej.model.method.AdaptedModel;
import modej.model.method.BackboneModel;
import modej.model.lora.LoraModel;
import modej.model.mode.ModeModel;
import modej.model.gpt.DecodeRunner;
import modej.model.gpt.GptConfig;
import modej.model.gpt.GptParams;
import modej.model.lora.LoraParams;
import modej.model.gpt.Runner;
import modej.model.mode.GateConfig;
import modej.model.mode.ModeConfig;
import modej.model.mode.ModeParams;
import modej.model.param.Slab;
import modej.model.tokenizer.ByteTokenizer;

/**
 * The cached sampler against the window-recomputing one, and its batched greedy continuation
 * against single-sequence sampling.
 */
class TextSamplerTest {

    static final GptConfig CFG = new GptConfig(256, 16, 2, 2, 16, true);

    static void randomise(Slab s, long seed, double std) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] p = s.params().data();
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (r.nextGaussian() * std);
        }
    }

    /** A random model of the kind (LoRA's B and the gate random, so that they change the output). */
    static AdaptedModel model(String kind) {
        GptParams backbone = new GptParams(CFG).init(1);
        randomise(backbone.embeddings(), 9, 0.5);   // a peaked distribution: greedy choices far from ties
        return switch (kind) {
            case "backbone" -> new BackboneModel(backbone, false);
            case "lora" -> {
                LoraParams lora = new LoraParams(CFG, 2, 4f, Set.of("qkv", "fc"), 2);
                randomise(lora.slab(), 3, 0.3);
                yield new LoraModel("lora", backbone, lora);
            }
            default -> {
                ModeParams m = new ModeParams(backbone, new ModeConfig(2, 1, List.of("code"),
                        new GateConfig(0, 1f, false, 0f), "random"), 4);
                randomise(m.gate(), 5, 0.5);
                yield new ModeModel("mode", m, false, false);
            }
        };
    }

    /**
     * Within the context, sampling with caches gives the same text as recomputing the window for
     * every token: greedily, and with temperature and top-k from the same seed. (Per-sequence MoDE
     * gates are compared with the full forward in the model module's DecodeTest.)
     */
    @ParameterizedTest
    @ValueSource(strings = {"backbone", "lora", "mode"})
    void cachedSamplingEqualsRecomputingTheWindow(String kind) {
        AdaptedModel m = model(kind);
        int T = CFG.context();
        try (JvmBackend be = new JvmBackend(2, true, false)) {
            TextSampler fast = new TextSampler(new DecodeRunner(m.decoder(1), be), ByteTokenizer.INSTANCE);
            WindowSampler slow = new WindowSampler(new Runner(m.graphs(1, T), be, null), ByteTokenizer.INSTANCE, T);
            String greedy = fast.sample("ab", T - 2, 0f, 0, 0);
            assertEquals(T, fast.sampleIds(new int[]{'a', 'b'}, T - 2, 0f, 0, 0).length);
            assertEquals(slow.sample("ab", T - 2, 0f, 0, 0), greedy, kind);
            assertEquals(slow.sample("xyz", T - 3, 1.5f, 20, 42), fast.sample("xyz", T - 3, 1.5f, 20, 42), kind);
        }
    }

    /** Past the context the caches restart from the last half: the text keeps growing, deterministically. */
    @Test
    void samplingPastTheContextKeepsGoing() {
        AdaptedModel m = model("backbone");
        try (JvmBackend be = new JvmBackend(2, true, false)) {
            TextSampler fast = new TextSampler(new DecodeRunner(m.decoder(1), be), ByteTokenizer.INSTANCE);
            int[] a = fast.sampleIds(new int[]{'a', 'b'}, 50, 1f, 0, 7);
            assertEquals(52, a.length);
            assertEquals('a', a[0]);
            assertEquals('b', a[1]);
            assertArrayEquals(a, fast.sampleIds(new int[]{'a', 'b'}, 50, 1f, 0, 7));
        }
    }

    /**
     * Greedy continuation of several prompts, two decoder rows at a time (three batches, the last
     * one half empty): each equals continuing that prompt alone, its prompt cut from the left to the
     * limit; the stop test ends a continuation early without disturbing the other row.
     */
    @ParameterizedTest
    @ValueSource(strings = {"backbone", "mode"})
    void batchedGreedyEqualsOnePromptAtATime(String kind) {
        AdaptedModel m = model(kind);
        List<String> prompts = List.of("a", "hello there, long", "xy", "0123", "the quick brown fox");
        int limit = 6, tokens = 9;
        try (JvmBackend be = new JvmBackend(2, true, false)) {
            TextSampler batched = new TextSampler(new DecodeRunner(m.decoder(2), be), ByteTokenizer.INSTANCE);
            TextSampler single = new TextSampler(new DecodeRunner(m.decoder(1), be), ByteTokenizer.INSTANCE);
            List<String> got = batched.greedy(prompts, limit, tokens, s -> false);
            assertEquals(prompts.size(), got.size());
            for (int i = 0; i < prompts.size(); i++) {
                String p = prompts.get(i);
                String cut = p.substring(Math.max(0, p.length() - limit));
                assertEquals(single.sample(cut, tokens, 0f, 0, 0).substring(cut.length()), got.get(i), "prompt " + i);
            }
            // stop after 3 bytes in every other prompt: those stop, the others run to the end as before
            List<String> stopped = batched.greedy(prompts, limit, tokens, s -> s.length() >= 3 && s.charAt(0) == got.get(0).charAt(0));
            for (int i = 0; i < prompts.size(); i++) {
                boolean stops = got.get(i).charAt(0) == got.get(0).charAt(0);
                assertEquals(stops ? got.get(i).substring(0, 3) : got.get(i), stopped.get(i), "prompt " + i);
            }
        }
    }
}
