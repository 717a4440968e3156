package modej.tasks.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import modej.engine.jvm.JvmBackend;
import modej.model.method.BackboneModel;
import modej.model.mode.ModeModel;
import modej.model.checkpoint.GptCheckpoint;
import modej.model.checkpoint.ModeCheckpoint;
import modej.model.gpt.GptConfig;
import modej.model.gpt.GptGraphs;
import modej.model.gpt.GptParams;
import modej.model.gpt.Runner;
import modej.model.mode.GateConfig;
import modej.model.mode.ModeConfig;
import modej.model.mode.ModeGraphs;
import modej.model.mode.ModeParams;
import modej.model.param.AdamWSettings;
import modej.model.param.Slab;
import modej.tasks.data.BatchSampler;
import modej.tasks.data.MixedBatches;
import modej.tasks.train.LearningRate;
import modej.tasks.train.Validation;

/**
 * The method's acceptance test: on two tiny synthetic domains with different statistics, each
 * stage-1 expert lowers its own domain's loss below the frozen backbone's, and after stage 2 the
 * gate puts most weight on the matching expert for each domain.
 *
 * <p>The pipeline runs as the CLI runs it: a backbone pretrained on general text is saved and
 * loaded back frozen; each stage-1 expert is trained on its domain alone and saved; stage 2 loads
 * both experts from their files, adds a fresh gate and trains it on batches mixing both domains.
 *
 * <p>The gate is judged per domain by the mean of its weights over every token of that domain's
 * validation windows. Asserted, per domain: at every block the matching expert gets more weight
 * than the other expert; at the last block it gets the most weight of the three sources and over
 * half; averaged over the blocks it leads the other expert by 0.3. Seen with seeds 1–6 (margins
 * matching − other): first block 0.10–0.56, last block 0.84–1.00, averaged 0.47–0.78.
 *
 * <p>Two choices make the claim hold, and both are about what the claim means:
 * <ul>
 *   <li>Stage 2 trains the gate only ({@code --train gate}). With the experts trained too (the
 *       {@code mode-compose} default) each expert also learns the other domain, so which one a
 *       domain's tokens go through is no longer determined: with seed 5 the last block sent domain
 *       b 0.55 to expert a and 0.45 to expert b, and the first block split both domains nearly
 *       alike between the experts with every seed. The loss still fell; only the routing lost its
 *       meaning.</li>
 *   <li>The backbone is pretrained past its plateau (general loss ~1.5 after 500 steps; 300
 *       steps left it at 1.9–2.7). On the weaker backbone the first block's gate, which reads the
 *       token and position embeddings, sent domain b more to expert a than to expert b (seeds 1
 *       and 4), while the last block still routed right.</li>
 * </ul>
 * The general text contains every character the domains use; without that the frozen tied head
 * cannot tell their characters apart and no expert beside it can lower their loss much.
 */
class TwoDomainTest {

    /** Checked with seeds 1–6; {@code -Dmodej.twodomain.seed=N} runs another. */
    static final long SEED = Long.getLong("modej.twodomain.seed", 1);
    static final GptConfig CONFIG = new GptConfig(256, 32, 2, 2, 32, true);
    static final int BATCH = 8, SEQ = 32, EVAL_BATCHES = 8;
    static final int PRETRAIN_STEPS = 500, EXPERT_STEPS = 150, COMPOSE_STEPS = 400;
    static final float LR = 1e-2f;
    static final String[] DOMAINS = {"a", "b"};

    /** The alphabet of the general stream: every character either domain uses, and more. */
    static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789+=; ";

    /**
     * General text: a fixed random bigram chain over {@link #ALPHABET}, each character followed by
     * one of 5 with fixed weights. Every character the domains use occurs in it, so pretraining
     * gives each its own embedding; without that, a frozen tied head cannot tell the domains'
     * characters apart and no expert beside it can learn them.
     */
    static int[] general(long seed, int n) {
        SplittableRandom chain = new SplittableRandom(42);
        int k = ALPHABET.length();
        int[][] next = new int[k][5];
        double[][] cumulative = new double[k][5];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < 5; j++) {
                next[i][j] = chain.nextInt(k);
                cumulative[i][j] = (j == 0 ? 0 : cumulative[i][j - 1]) + 0.2 + chain.nextDouble();
            }
        }
        SplittableRandom r = new SplittableRandom(seed);
        int[] t = new int[n];
        int c = r.nextInt(k);
        for (int i = 0; i < n; i++) {
            t[i] = ALPHABET.charAt(c);
            double u = r.nextDouble() * cumulative[c][4];
            int j = 0;
            while (cumulative[c][j] < u) {
                j++;
            }
            c = next[c][j];
        }
        return t;
    }

    /**
     * Domain a, a grammar over "abcdefgh": three-letter words x y z and a space, x uniform,
     * y = x+1 or x+2, z = x+y (mod 8): one bit of choice per four characters.
     */
    static int[] domainA(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder s = new StringBuilder();
        while (s.length() < n) {
            int x = r.nextInt(8), y = (x + 1 + r.nextInt(2)) % 8, z = (x + y) % 8;
            s.append((char) ('a' + x)).append((char) ('a' + y)).append((char) ('a' + z)).append(' ');
        }
        return bytes(s, n);
    }

    /** Domain b, arithmetic: "a+b=c;" with a, b uniform in [0, 50) and c their sum. No letter, no space. */
    static int[] domainB(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder s = new StringBuilder();
        while (s.length() < n) {
            int a = r.nextInt(50), b = r.nextInt(50);
            s.append(a).append('+').append(b).append('=').append(a + b).append(';');
        }
        return bytes(s, n);
    }

    private static int[] bytes(CharSequence s, int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = s.charAt(i);
        }
        return t;
    }

    static TrainingSettings settings(int steps, long seed) {
        return new TrainingSettings(BATCH, SEQ, steps, new LearningRate(LR, LR / 10, steps / 10, steps),
                AdamWSettings.DEFAULT, 0, EVAL_BATCHES, seed, 0f);
    }

    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    @Test
    void expertsBeatTheFrozenBackboneAndTheGateSendsEachDomainToItsExpert(@TempDir Path dir) throws Exception {
        int[][] train = {domainA(SEED * 10 + 1, 20_000), domainB(SEED * 10 + 2, 20_000)};
        int[][] held = {domainA(SEED * 10 + 3, 4_000), domainB(SEED * 10 + 4, 4_000)};
        // One worker: bit-identical to any other count, and much faster than two on 2 shared cores.
        try (JvmBackend be = new JvmBackend(1, true, false)) {
            // A backbone pretrained briefly on general text, saved, and loaded back frozen.
            Path backboneFile = dir.resolve("backbone.safetensors");
            Adaptation.Outcome pre = Adaptation.train(new BackboneModel(new GptParams(CONFIG).init(SEED), true),
                    settings(PRETRAIN_STEPS, SEED), be, new BatchSampler(general(SEED * 10, 30_000), BATCH, SEQ, SEED),
                    general(SEED * 10 + 9, 4_000), backboneFile, Map.of(), QUIET);
            GptParams backbone = GptCheckpoint.load(backboneFile, false).params();
            assertTrue(backbone.slabs().stream().noneMatch(Slab::trainable));
            List<float[]> before = backbone.slabs().stream().map(s -> s.params().data().clone()).toList();
            System.out.printf("seed %d; pretrained backbone: general validation loss %.3f%n", SEED, pre.last().loss());

            Runner frozen = new Runner(new GptGraphs(backbone, BATCH, SEQ), be, null);
            double[] frozenLoss = new double[2];
            for (int d = 0; d < 2; d++) {
                frozenLoss[d] = Validation.run(frozen, held[d], BATCH, SEQ, EVAL_BATCHES).loss();
            }

            // Stage 1: one expert per domain, trained on that domain alone, saved.
            Slab[] experts = new Slab[2];
            for (int d = 0; d < 2; d++) {
                String name = DOMAINS[d];
                ModeConfig cfg = new ModeConfig(2, 1, List.of(name), GateConfig.DEFAULT, "copy:last");
                ModeModel m = new ModeModel("mode-expert", new ModeParams(backbone, cfg, SEED + 100 + d), true, true);
                Path file = dir.resolve("expert-" + name + ".safetensors");
                Adaptation.Outcome o = Adaptation.train(m, settings(EXPERT_STEPS, SEED + 200 + d), be,
                        new BatchSampler(train[d], BATCH, SEQ, SEED + 300 + d), held[d], file, Map.of(), QUIET);
                double[][] gate = gateMeans(new Runner(m.graphs(BATCH, SEQ), be, null), be, held[d]);
                System.out.printf("domain %s: frozen backbone loss %.3f, stage-1 expert loss %.3f "
                                + "(its gate on its domain: expert weight %.3f at block 0, %.3f at block 1)%n",
                        name, frozenLoss[d], o.last().loss(), gate[0][1], gate[1][1]);
                assertTrue(o.last().loss() < frozenLoss[d] - 1, "stage-1 expert " + name + " loss " + o.last().loss()
                        + " is not 1 nat below the frozen backbone's " + frozenLoss[d]);
                experts[d] = ModeCheckpoint.loadExpert(file, name, backbone).slab();
            }

            // Stage 2: both experts from their files and a fresh gate, trained (the gate only) on both domains mixed.
            ModeConfig cfg = new ModeConfig(2, 1, List.of(DOMAINS), GateConfig.DEFAULT, "copy:last");
            ModeModel composed = new ModeModel("mode-compose",
                    new ModeParams(backbone, cfg, Map.of("a", experts[0], "b", experts[1]), SEED + 400), false, true);
            Adaptation.train(composed, settings(COMPOSE_STEPS, SEED + 500), be,
                    new MixedBatches(List.of(train[0], train[1]), BATCH, SEQ, SEED + 600), null,
                    dir.resolve("composed.safetensors"), Map.of(), QUIET);

            for (int d = 0; d < 2; d++) {
                assertArrayEquals(ModeCheckpoint.loadExpert(dir.resolve("expert-" + DOMAINS[d] + ".safetensors"), DOMAINS[d],
                        backbone).slab().params().data(), experts[d].params().data(), "stage 2 trained expert " + DOMAINS[d]);
            }

            Runner eval = new Runner(composed.graphs(BATCH, SEQ), be, null);
            int last = cfg.blocks() - 1;
            for (int d = 0; d < 2; d++) {
                String name = DOMAINS[d];
                int own = 1 + d, other = 2 - d;  // gate sources: 0 backbone, 1 expert a, 2 expert b
                double loss = Validation.run(eval, held[d], BATCH, SEQ, EVAL_BATCHES).loss();
                double[][] w = gateMeans(eval, be, held[d]);
                for (int b = 0; b < cfg.blocks(); b++) {
                    System.out.printf("domain %s, block %d: mean gate weight backbone %.3f, expert a %.3f, expert b %.3f%n",
                            name, b, w[b][0], w[b][1], w[b][2]);
                }
                System.out.printf("domain %s: composed loss %.3f%n", name, loss);
                assertTrue(loss < frozenLoss[d] - 1, "composed loss on " + name + " " + loss + ", frozen " + frozenLoss[d]);

                String where = "domain " + name + ": gate weights (backbone, a, b) per block " + Arrays.deepToString(w);
                double ownMean = 0, otherMean = 0;
                for (double[] block : w) {
                    assertTrue(block[own] > block[other] + 0.05, where);
                    ownMean += block[own] / w.length;
                    otherMean += block[other] / w.length;
                }
                assertTrue(w[last][own] > 0.5 && w[last][own] > w[last][0] && w[last][own] > w[last][other], where);
                assertTrue(ownMean > otherMean + 0.3, where);
            }
            for (int i = 0; i < before.size(); i++) {
                assertArrayEquals(before.get(i), backbone.slabs().get(i).params().data(), backbone.slabs().get(i).name());
            }
        }
    }

    /** Mean gate weight of each source over the first EVAL_BATCHES·BATCH windows of {@code tokens}: [block][source]. */
    static double[][] gateMeans(Runner eval, JvmBackend be, int[] tokens) {
        ModeGraphs g = (ModeGraphs) eval.graphs();
        int blocks = g.params().config().blocks(), sources = g.params().config().sources();
        double[][] mean = new double[blocks][sources];
        int[] in = new int[BATCH * SEQ], tg = new int[BATCH * SEQ];
        long rows = 0;
        for (int batch = 0; batch < EVAL_BATCHES; batch++) {
            for (int i = 0; i < BATCH; i++) {
                int at = (batch * BATCH + i) * (SEQ + 1);
                System.arraycopy(tokens, at, in, i * SEQ, SEQ);
                System.arraycopy(tokens, at + 1, tg, i * SEQ, SEQ);
            }
            eval.evaluate(in, tg);
            for (int b = 0; b < blocks; b++) {
                be.toHost(g.gateWeights(b));
                float[] w = g.gateWeights(b).data();  // (B·T, sources): a per-token gate
                for (int r = 0; r < BATCH * SEQ; r++) {
                    for (int s = 0; s < sources; s++) {
                        mean[b][s] += w[r * sources + s];
                    }
                }
            }
            rows += BATCH * SEQ;
        }
        for (double[] m : mean) {
            for (int s = 0; s < sources; s++) {
                m[s] /= rows;
            }
        }
        return mean;
    }
}
