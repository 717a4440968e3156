package modej.tasks.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import modej.model.method.BackboneModel;
import modej.model.lora.LoraModel;
import modej.model.mode.ModeModel;
import modej.model.checkpoint.GptCheckpoint;
import modej.model.gpt.GptConfig;
import modej.model.gpt.GptParams;
import modej.model.lora.LoraParams;
import modej.model.mode.GateConfig;
import modej.model.mode.ModeConfig;
import modej.model.mode.ModeParams;
import modej.model.param.ParameterCounts;
import modej.model.param.Slab;
import modej.tasks.cli.Main;

/**
 * Parameter counts printed for every method agree with counts computed from the config by hand:
 * every expected number below is written out tensor by tensor from the shapes, not taken from
 * the production code.
 */
class ParameterCountTest {

    // vocab 256, context 64, 4 layers, 4 heads, width 32, LM head tied to the token embedding
    static final GptConfig CONFIG = new GptConfig(256, 64, 4, 4, 32, true);
    static final long V = 256, T = 64, L = 4, C = 32;

    // One transformer layer, tensor by tensor.
    static final long LN1 = C + C;                  // ln1.weight (C), ln1.bias (C)
    static final long QKV = 3 * C * C + 3 * C;      // qkv.weight (3C, C), qkv.bias (3C)
    static final long ATTN_PROJ = C * C + C;        // attn_proj.weight (C, C), attn_proj.bias (C)
    static final long LN2 = C + C;                  // ln2.weight (C), ln2.bias (C)
    static final long FC = 4 * C * C + 4 * C;       // fc.weight (4C, C), fc.bias (4C)
    static final long FC_PROJ = C * 4 * C + C;      // fc_proj.weight (C, 4C), fc_proj.bias (C)
    static final long LAYER = LN1 + QKV + ATTN_PROJ + LN2 + FC + FC_PROJ;

    static final long WTE = V * C;                  // (V, C), also the LM head
    static final long WPE = T * C;                  // (T, C)
    static final long LNF = C + C;                  // lnf.weight (C), lnf.bias (C)
    static final long BACKBONE = WTE + WPE + L * LAYER + LNF;

    static final Set<String> ALL_TARGETS = Set.of("qkv", "attn_proj", "fc", "fc_proj");

    /** LoRA on every layer: A (r, in) and B (out, r) per target, so r·(in + out) each. */
    static long lora(long r, Set<String> targets) {
        long perLayer = 0;
        for (String t : targets) {
            perLayer += switch (t) {
                case "qkv" -> r * (C + 3 * C);          // in C, out 3C
                case "attn_proj" -> r * (C + C);        // in C, out C
                case "fc" -> r * (C + 4 * C);           // in C, out 4C
                case "fc_proj" -> r * (4 * C + C);      // in 4C, out C
                default -> throw new IllegalArgumentException(t);
            };
        }
        return L * perLayer;
    }

    /** One expert: k layers in each of B blocks. */
    static long expert(long blocks, long k) {
        return blocks * k * LAYER;
    }

    /** The gate: per block a weight (sources, C) and a bias (sources), sources = backbone + experts. */
    static long gate(long blocks, long experts) {
        long sources = 1 + experts;
        return blocks * (sources * C + sources);
    }

    @Test
    void handCountsAreTheNumbersWorkedOutOnPaper() {
        assertEquals(12_704, LAYER);                     // 12·C² + 13·C
        assertEquals(61_120, BACKBONE);                  // 8 192 + 2 048 + 4·12 704 + 64
        assertEquals(2_048 * 8, lora(8, ALL_TARGETS));   // 4 layers · 8 · (128 + 64 + 160 + 160)
        assertEquals(2 * 12_704, expert(2, 1));
        assertEquals(2 * (2 * 32 + 2), gate(2, 1));      // B·(2C + 2)
        assertEquals(2 * (3 * 32 + 3), gate(2, 2));      // B·((1+E)·C + (1+E))
    }

    @Test
    void backboneTotal() {
        assertEquals(BACKBONE, CONFIG.parameterCount());
        assertEquals(BACKBONE, new GptParams(CONFIG).slabs().stream().mapToLong(Slab::size).sum());
        GptConfig untied = new GptConfig(256, 64, 4, 4, 32, false);
        assertEquals(BACKBONE + V * C, untied.parameterCount());   // its own head (V, C)
        assertEquals(BACKBONE + V * C, new GptParams(untied).slabs().stream().mapToLong(Slab::size).sum());
    }

    @Test
    void fullAndFrozen() {
        assertEquals(new ParameterCounts(BACKBONE, BACKBONE, BACKBONE), new BackboneModel(backbone(), true).counts());
        assertEquals(new ParameterCounts(BACKBONE, 0, BACKBONE), new BackboneModel(backbone(), false).counts());
    }

    @Test
    void lora() {
        for (int r : new int[]{1, 4, 8, 16}) {
            for (Set<String> targets : List.of(ALL_TARGETS, Set.of("qkv"), Set.of("attn_proj", "fc_proj"), Set.of("fc"))) {
                long adapters = lora(r, targets);
                assertEquals(adapters, LoraParams.parameterCount(CONFIG, r, targets), "rank " + r + " " + targets);
                LoraModel m = new LoraModel("lora", backbone(), new LoraParams(CONFIG, r, 16, targets, 1));
                assertEquals(new ParameterCounts(BACKBONE + adapters, adapters, BACKBONE + adapters), m.counts(),
                        "rank " + r + " " + targets);
            }
        }
    }

    @Test
    void modeStageOne() {
        for (int[] bk : new int[][]{{1, 1}, {2, 1}, {4, 1}, {2, 2}, {1, 3}}) {
            int blocks = bk[0], k = bk[1];
            ModeConfig cfg = new ModeConfig(blocks, k, List.of("code"), GateConfig.DEFAULT, "random");
            ModeModel m = new ModeModel("mode-expert", new ModeParams(backbone(), cfg, 1), true, true);
            long trainable = expert(blocks, k) + gate(blocks, 1);
            assertEquals(new ParameterCounts(BACKBONE + trainable, trainable, BACKBONE + gate(blocks, 1) + expert(blocks, k)),
                    m.counts(), "B=" + blocks + " k=" + k);
        }
    }

    @Test
    void modeStageTwoDenseAndTopK() {
        int blocks = 2, k = 1;
        for (int e : new int[]{2, 3}) {
            List<String> names = List.of("e0", "e1", "e2").subList(0, e);
            GptParams bb = backbone();
            Map<String, Slab> trained = new java.util.LinkedHashMap<>();
            for (String n : names) {
                ModeConfig one = new ModeConfig(blocks, k, List.of(n), GateConfig.DEFAULT, "random");
                trained.put(n, new ModeParams(bb, one, 1).expert(n));
            }
            long experts = e * expert(blocks, k), gate = gate(blocks, e), total = BACKBONE + experts + gate;
            for (int topK : new int[]{0, 1, 2, 3, 4}) {
                GateConfig g = new GateConfig(topK, 1f, false, 0f);
                ModeConfig cfg = new ModeConfig(blocks, k, names, g, "random");
                // every expert runs on every token, also with top-k (unselected ones are weighted 0, not skipped)
                long active = BACKBONE + gate + e * expert(blocks, k);
                ModeModel all = new ModeModel("mode-compose", new ModeParams(bb, cfg, trained, 2), true, true);
                assertEquals(new ParameterCounts(total, experts + gate, active), all.counts(), "E=" + e + " topK=" + topK);
                ModeModel gateOnly = new ModeModel("mode-compose", new ModeParams(bb, cfg, trained, 2), false, true);
                assertEquals(new ParameterCounts(total, gate, active), gateOnly.counts(), "gate only, E=" + e + " topK=" + topK);
            }
        }
    }

    /** Every method built on one backbone, one after another: counts must not depend on what came before. */
    @Test
    void countsDoNotDependOnTheMethodsBuiltBeforeOnTheSameBackbone() {
        GptParams bb = backbone();
        assertEquals(BACKBONE, new BackboneModel(bb, true).counts().trainable());
        assertEquals(0, new BackboneModel(bb, false).counts().trainable());
        new BackboneModel(bb, true);   // every backbone slab trainable again
        assertEquals(lora(4, ALL_TARGETS), new LoraModel("lora", bb, new LoraParams(CONFIG, 4, 8, ALL_TARGETS, 1)).counts().trainable());
        new BackboneModel(bb, true);   // and again
        ModeParams stage1 = new ModeParams(bb, new ModeConfig(2, 1, List.of("a"), GateConfig.DEFAULT, "copy:last"), 1);
        assertEquals(expert(2, 1) + gate(2, 1), new ModeModel("mode-expert", stage1, true, true).counts().trainable());
        // stage 2 on the stage-1 slab (trainable from stage 1), training the gate only
        ModeConfig two = new ModeConfig(2, 1, List.of("a"), GateConfig.DEFAULT, "copy:last");
        ModeModel gateOnly = new ModeModel("mode-compose", new ModeParams(bb, two, Map.of("a", stage1.expert("a")), 2), false, true);
        assertEquals(gate(2, 1), gateOnly.counts().trainable());
    }

    @Test
    void matchedLoraRankIsTheClosestByBruteForce() {
        List<Set<String>> targetSets = List.of(ALL_TARGETS, Set.of("qkv"), Set.of("qkv", "fc"), Set.of("attn_proj"));
        List<Long> targets = new ArrayList<>();
        // stage-2 MoDE configurations (experts and gate trained): B·k·E experts + gate
        for (int blocks : new int[]{1, 2, 4}) {
            for (int e = 1; e <= 4; e++) {
                targets.add(e * expert(blocks, 1) + gate(blocks, e));
            }
        }
        // and a sweep that hits exact ties (half-way between two ranks) and tiny targets
        for (long t = 0; t <= 200_000; t += 64) {
            targets.add(t);
        }
        for (Set<String> ts : targetSets) {
            for (long target : targets) {
                int best = 1;
                for (int r = 1; r <= 1_000; r++) {
                    if (Math.abs(lora(r, ts) - target) < Math.abs(lora(best, ts) - target)) {
                        best = r;   // strictly closer: ties keep the smaller rank
                    }
                }
                assertEquals(best, LoraModel.matchedRank(CONFIG, ts, target), "targets " + ts + ", MoDE count " + target);
            }
        }
        // the CLI's default match: 2 experts, 2 blocks, 1 layer each, all four targets
        long mode = 2 * expert(2, 1) + gate(2, 2);
        assertEquals(51_014, mode);
        assertEquals(25, LoraModel.matchedRank(CONFIG, ALL_TARGETS, mode));   // 25·2 048 = 51 200
    }

    // --- The counts the train command prints --------------------------------------------------

    static final String NUM = "(\\d{1,3}(?:[,.'\\u00a0\\u202f]?\\d{3})*)";
    static final Pattern COUNTS = Pattern.compile("(?m)^(\\S+): " + NUM + " parameters, " + NUM + " trainable, " + NUM
            + " active per token$");
    static final Pattern MATCHED = Pattern.compile("(?m)^lora-matched: MoDE \\((\\d+) experts, (\\d+) blocks, (\\d+) layers each\\) "
            + "trains " + NUM + " parameters; LoRA rank (\\d+) trains " + NUM + "$");

    static long number(String s) {
        return Long.parseLong(s.replaceAll("\\D", ""));
    }

    /** Runs the CLI and returns what it printed on stderr; fails unless it exits with 0. */
    static String train(List<String> common, String... more) {
        PrintStream err = System.err, out = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int code;
        try (PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            System.setErr(capture);
            System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            List<String> all = new ArrayList<>(List.of("train"));
            all.addAll(common);
            all.addAll(List.of(more));
            code = Main.run(all.toArray(String[]::new));
        } finally {
            System.setErr(err);
            System.setOut(out);
        }
        String printed = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, printed);
        return printed;
    }

    static ParameterCounts printedCounts(String printed, String method) {
        Matcher m = COUNTS.matcher(printed);
        if (!m.find()) {
            fail("no count line in:\n" + printed);
        }
        assertEquals(method, m.group(1));
        return new ParameterCounts(number(m.group(2)), number(m.group(3)), number(m.group(4)));
    }

    @Test
    void trainCommandPrintsTheHandCounts(@TempDir Path dir) throws Exception {
        Path backbone = dir.resolve("backbone.safetensors");
        GptCheckpoint.save(backbone, backbone(), Map.of(), false);
        Path a = text(dir.resolve("a.txt"), "abcdefgh ", 1), b = text(dir.resolve("b.txt"), "0123456789+=;", 2);
        List<String> common = List.of("--backbone", backbone.toString(), "--data", "a=" + a, "--data", "b=" + b,
                "--steps", "1", "--batch", "2", "--seq", "16", "--threads", "1", "--eval-batches", "1", "--validation", "0.5");

        // lora-matched with the defaults: 2 experts, 2 blocks, 1 layer each, all four targets
        String printed = train(common, "--method", "lora-matched", "--out", dir.resolve("m1.safetensors").toString());
        long mode = 2 * expert(2, 1) + gate(2, 2);
        assertEquals(List.of(2L, 2L, 1L, mode, 25L, lora(25, ALL_TARGETS)), matched(printed));
        assertEquals(new ParameterCounts(BACKBONE + lora(25, ALL_TARGETS), lora(25, ALL_TARGETS), BACKBONE + lora(25, ALL_TARGETS)),
                printedCounts(printed, "lora-matched"));

        // lora-matched against 3 experts in 4 blocks, adapting qkv and fc only
        printed = train(common, "--method", "lora-matched", "--match-experts", "3", "--blocks", "4", "--targets", "qkv,fc",
                "--out", dir.resolve("m2.safetensors").toString());
        mode = 3 * expert(4, 1) + gate(4, 3);
        int rank = bruteForceRank(Set.of("qkv", "fc"), mode);
        long adapters = lora(rank, Set.of("qkv", "fc"));
        assertEquals(List.of(3L, 4L, 1L, mode, (long) rank, adapters), matched(printed));
        assertEquals(new ParameterCounts(BACKBONE + adapters, adapters, BACKBONE + adapters), printedCounts(printed, "lora-matched"));

        printed = train(common, "--method", "full", "--out", dir.resolve("full.safetensors").toString());
        assertEquals(new ParameterCounts(BACKBONE, BACKBONE, BACKBONE), printedCounts(printed, "full"));

        printed = train(common, "--method", "lora", "--rank", "4", "--targets", "attn_proj,fc_proj",
                "--out", dir.resolve("lora.safetensors").toString());
        adapters = lora(4, Set.of("attn_proj", "fc_proj"));
        assertEquals(new ParameterCounts(BACKBONE + adapters, adapters, BACKBONE + adapters), printedCounts(printed, "lora"));

        // stage 1: one expert per domain, 2 blocks of 1 layer
        long one = expert(2, 1), gate1 = gate(2, 1);
        for (String d : List.of("a", "b")) {
            printed = train(common, "--method", "mode-expert", "--domain", d, "--out", dir.resolve(d + ".safetensors").toString());
            assertEquals(new ParameterCounts(BACKBONE + one + gate1, one + gate1, BACKBONE + gate1 + one),
                    printedCounts(printed, "mode-expert"));
        }

        // stage 2: both experts and a fresh gate; dense, all trained / top-1, the gate only
        List<String> compose = new ArrayList<>(common);
        compose.addAll(List.of("--method", "mode-compose", "--expert", "a=" + dir.resolve("a.safetensors"),
                "--expert", "b=" + dir.resolve("b.safetensors")));
        long gate2 = gate(2, 2);
        printed = train(compose, "--out", dir.resolve("c1.safetensors").toString());
        assertEquals(new ParameterCounts(BACKBONE + 2 * one + gate2, 2 * one + gate2, BACKBONE + gate2 + 2 * one),
                printedCounts(printed, "mode-compose"));
        printed = train(compose, "--train", "gate", "--top-k", "1", "--out", dir.resolve("c2.safetensors").toString());
        assertEquals(new ParameterCounts(BACKBONE + 2 * one + gate2, gate2, BACKBONE + gate2 + 2 * one),   // top-1 skips nothing
                printedCounts(printed, "mode-compose"));
    }

    /** A text file of random characters from {@code alphabet}, in lines, long enough for a train and a validation part. */
    static Path text(Path file, String alphabet, long seed) throws java.io.IOException {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder s = new StringBuilder();
        while (s.length() < 40_000) {
            s.append(alphabet.charAt(r.nextInt(alphabet.length())));
            if (r.nextInt(40) == 0) {
                s.append('\n');
            }
        }
        return Files.writeString(file, s);
    }

    /** The lora-matched line: experts, blocks, layers, MoDE count, rank, LoRA count. */
    static List<Long> matched(String printed) {
        Matcher m = MATCHED.matcher(printed);
        assertTrue(m.find(), printed);
        List<Long> n = new ArrayList<>();
        for (int g = 1; g <= 6; g++) {
            n.add(number(m.group(g)));
        }
        return n;
    }

    private static int bruteForceRank(Set<String> targets, long mode) {
        int best = 1;
        for (int r = 1; r <= 1_000; r++) {
            if (Math.abs(lora(r, targets) - mode) < Math.abs(lora(best, targets) - mode)) {
                best = r;
            }
        }
        return best;
    }

    private static GptParams backbone() {
        return new GptParams(CONFIG).init(7);
    }
}
