package modej.tasks.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import modej.model.lora.LoraModel;
import modej.model.checkpoint.GptCheckpoint;
import modej.model.checkpoint.ModeCheckpoint;
import modej.model.checkpoint.Safetensors;
import modej.model.gpt.GptConfig;
import modej.model.gpt.GptParams;
import modej.model.lora.LoraParams;
import modej.model.lora.LoraSlot;
import modej.model.mode.ModeParams;

/** End to end through {@link Main#run}: every training method on two tiny domains, and the user errors. */
class TrainCommandTest {

    static final GptConfig CONFIG = new GptConfig(256, 32, 2, 2, 32, true);

    @TempDir
    Path dir;
    Path backbone, a, b;

    /** What a run printed and returned. */
    record Run(int code, String out, String err) {
    }

    @BeforeEach
    void files() throws IOException {
        backbone = dir.resolve("backbone.safetensors");
        GptCheckpoint.save(backbone, new GptParams(CONFIG).init(3), Map.of(), false);
        a = text(dir.resolve("a.txt"), "abcdefgh ", 1);
        b = text(dir.resolve("b.txt"), "0123456789+=;", 2);
    }

    /** Random characters from {@code alphabet} in lines: 5 chunks of 4 KiB, so both halves of the split get some. */
    static Path text(Path file, String alphabet, long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder s = new StringBuilder();
        while (s.length() < 20_000) {
            s.append(alphabet.charAt(r.nextInt(alphabet.length())));
            if (r.nextInt(40) == 0) {
                s.append('\n');
            }
        }
        return Files.writeString(file, s);
    }

    static Run run(List<String> args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            code = Main.run(args.toArray(String[]::new));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    /** {@code train} with the two domains, the backbone, a 3-step budget, and {@code more}. */
    List<String> train(String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--backbone", backbone.toString(), "--data", "a=" + a,
                "--data", "b=" + b, "--steps", "3", "--batch", "2", "--seq", "16", "--threads", "1", "--validation", "0.5",
                "--warmup-steps", "1"));
        args.addAll(List.of(more));
        return args;
    }

    static Run ok(List<String> args) {
        Run r = run(args);
        assertEquals(0, r.code(), () -> String.join(" ", args) + "\nstdout:\n" + r.out() + "stderr:\n" + r.err());
        return r;
    }

    @Test
    void everyMethodTrainsSavesAndLoadsWithoutTouchingTheBackbone() throws IOException {
        byte[] before = Files.readAllBytes(backbone);
        Path ea = dir.resolve("out/expert-a.safetensors"), eb = dir.resolve("out/expert-b.safetensors");
        Path composed = dir.resolve("out/composed.safetensors"), full = dir.resolve("out/full.safetensors");
        Path lora = dir.resolve("out/lora.safetensors");

        Run r = ok(train("--method", "mode-expert", "--domain", "a", "--out", ea.toString()));
        assertTrue(r.out().contains("validation (a): loss"), r.out());
        ok(train("--method", "mode-expert", "--domain", "b", "--out", eb.toString()));
        r = ok(train("--method", "mode-compose", "--expert", "a=" + ea, "--expert", "b=" + eb, "--out", composed.toString()));
        assertTrue(r.out().contains("saved " + composed), r.out());
        Run fullRun = ok(train("--method", "full", "--out", full.toString()));
        for (String d : List.of("a", "b")) {
            assertTrue(fullRun.out().matches("(?s).*validation \\(" + d + "\\): loss \\d+\\.\\d{4}, accuracy 0\\.\\d{4}\n.*"),
                    "a mixed method is validated on every domain: " + fullRun.out());
        }
        ok(train("--method", "lora", "--out", lora.toString()));

        GptParams base = GptCheckpoint.load(backbone, false).params();
        ModeParams stage1 = ModeCheckpoint.load(ea, base, false);
        assertEquals(List.of("a"), stage1.config().experts());
        assertEquals(List.of("b"), ModeCheckpoint.load(eb, base, false).config().experts());
        ModeParams stage2 = ModeCheckpoint.load(composed, base, false);
        assertEquals(List.of("a", "b"), stage2.config().experts());
        assertEquals(3, stage2.config().sources());
        // stage 2 trained the experts it loaded: expert a moved away from its stage-1 weights
        assertFalse(Arrays.equals(stage1.expert("a").params().data(), stage2.expert("a").params().data()));
        assertEquals(ModeCheckpoint.fingerprint(base), GptCheckpoint.metadata(composed).get(ModeCheckpoint.BACKBONE_KEY));

        GptParams tuned = GptCheckpoint.load(full, false).params();
        assertEquals(CONFIG, tuned.config());
        assertFalse(Arrays.equals(base.layer(0).params().data(), tuned.layer(0).params().data()), "full fine-tuning changed nothing");
        LoraModel adapters = LoraModel.load(lora, base);
        assertEquals(8, adapters.lora().rank());
        assertEquals(LoraParams.parameterCount(CONFIG, 8, LoraSlot.TARGETS), adapters.lora().slab().size());
        assertEquals("full", GptCheckpoint.metadata(full).get("modej.method"));
        for (String d : List.of("a", "b")) { // what each domain was, in the checkpoint and in the log
            String fingerprint = GptCheckpoint.metadata(full).get("modej.data." + d + ".fingerprint");
            assertTrue(fingerprint != null && fingerprint.matches("[0-9a-f]{16}"), d + ": " + GptCheckpoint.metadata(full));
            assertTrue(r.err().contains(d + ": corpus " + GptCheckpoint.metadata(full).get("modej.data." + d) + ": "), r.err());
            assertTrue(r.err().contains("(fingerprint " + fingerprint + ")"), r.err());
        }

        assertArrayEquals(before, Files.readAllBytes(backbone), "the backbone file changed");
    }

    @Test
    void aStoppedRunContinuesBitForBitWithResume() throws IOException {
        for (List<String> method : List.of(List.of("--method", "lora"), List.of("--method", "full", "--checkpoint-every", "1"),
                List.of("--method", "mode-expert", "--domain", "b"))) {
            String name = method.get(1);
            Path whole = dir.resolve("whole-" + name + ".safetensors"), parts = dir.resolve("parts-" + name + ".safetensors");
            Path state = dir.resolve("parts-" + name + ".safetensors.resume");
            ok(train(with(method, "--out", whole.toString())));

            Run stopped = ok(train(with(method, "--out", parts.toString(), "--stop-after", "2")));
            assertTrue(stopped.out().contains("stopped; state saved to " + state), stopped.out());
            assertFalse(Files.exists(parts), name + ": a stopped run saved its model");
            assertTrue(Files.exists(state), name);

            Run again = run(train(with(method, "--out", parts.toString())));
            assertEquals(2, again.code(), again.err());
            assertTrue(again.err().contains("a stopped run's state is at " + state + ": continue it with --resume"), again.err());
            Run otherSeed = run(train(with(method, "--out", parts.toString(), "--resume", "--seed", "7")));
            assertEquals(2, otherSeed.code(), otherSeed.err());
            assertTrue(otherSeed.err().contains("modej train: --resume: modej.train.settings differs from the stopped run's"),
                    otherSeed.err());

            Run resumed = ok(train(with(method, "--out", parts.toString(), "--resume")));
            assertTrue(resumed.err().contains("continuing the stopped run after step 2"), resumed.err());
            assertFalse(Files.exists(state), name + ": the state outlived the finished run");
            var expected = Safetensors.read(whole).tensors();
            var actual = Safetensors.read(parts).tensors();
            assertEquals(expected.keySet(), actual.keySet(), name);
            expected.forEach((tensor, data) -> assertEquals(data, actual.get(tensor), name + ": " + tensor));
        }
        Run noState = run(train("--method", "lora", "--out", dir.resolve("none.safetensors").toString(), "--resume"));
        assertEquals(2, noState.code());
        assertTrue(noState.err().contains("--resume: no stopped run at "), noState.err());
    }

    private static String[] with(List<String> method, String... more) {
        List<String> all = new ArrayList<>(method);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    /** Exit code 2 and exactly one line on stderr, {@code modej train: ...}, mentioning {@code hint}; nothing saved. */
    void userError(List<String> args, String hint) {
        Run r = run(args);
        assertEquals(2, r.code(), () -> String.join(" ", args) + "\n" + r.err());
        List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.get(0).startsWith("modej train: ") && lines.get(0).contains(hint), lines.get(0));
        assertFalse(Files.exists(dir.resolve("out")), "an output was written");
    }

    @Test
    void aComposedGateCanStartFromTheStage1Gates() {
        Path ea = dir.resolve("stages/expert-a.safetensors"), eb = dir.resolve("stages/expert-b.safetensors");
        Path composed = dir.resolve("stages/composed.safetensors"), wrong = dir.resolve("out/x.safetensors");
        ok(train("--method", "mode-expert", "--domain", "a", "--gate-norm", "--gate-lr-scale", "30", "--out", ea.toString()));
        ok(train("--method", "mode-expert", "--domain", "b", "--gate-norm", "--gate-lr-scale", "30", "--out", eb.toString()));
        // a learning rate too small to move anything: the saved gate is the one stage 2 started from
        ok(train("--method", "mode-compose", "--expert", "a=" + ea, "--expert", "b=" + eb, "--gate-norm",
                "--gate-init", "stage1", "--train", "gate", "--lr", "1e-12", "--min-lr", "1e-12", "--out", composed.toString()));
        GptParams base = GptCheckpoint.load(backbone, false).params();
        ModeParams stage2 = ModeCheckpoint.load(composed, base, false);
        assertTrue(stage2.config().gate().normalize());
        ModeParams expected = ModeCheckpoint.load(composed, base, false);
        expected.composeGate(Map.of("a", ModeCheckpoint.loadExpert(ea, "a", base).gate(),
                "b", ModeCheckpoint.loadExpert(eb, "b", base).gate()));
        float[] got = stage2.gate().params().data(), want = expected.gate().params().data();
        assertArrayEquals(want, got, 1e-6f);
        int row0 = stage2.gate().offset("b0.weight");
        for (int c = 0; c < CONFIG.width(); c++) {
            assertEquals(0f, got[row0 + c], 1e-9f, "the backbone's row of a composed gate is 0 (a fresh one is ~N(0, 0.02))");
        }
        userError(train("--method", "mode-compose", "--expert", "a=" + ea, "--gate-init", "stage1", "--out", wrong.toString()),
                "--gate-init stage1:");
        userError(train("--method", "mode-compose", "--expert", "a=" + ea, "--gate-init", "warm", "--out", wrong.toString()),
                "--gate-init must be 'fresh' or 'stage1'");
        userError(train("--method", "mode-expert", "--domain", "a", "--gate-lr-scale", "0", "--out", wrong.toString()),
                "--gate-lr-scale must be > 0");
    }

    @Test
    void userErrorsExitWithTwoAndOneLine() {
        Path out = dir.resolve("out/x.safetensors");
        userError(train("--method", "magic", "--out", out.toString()), "unknown --method 'magic'");
        userError(train("--method", "mode-expert", "--out", out.toString()), "needs --domain");
        userError(train("--method", "mode-expert", "--domain", "c", "--out", out.toString()), "no domain 'c'");
        userError(train("--method", "mode-compose", "--out", out.toString()), "needs --expert");
        List<String> noEquals = new ArrayList<>(train("--method", "full", "--out", out.toString()));
        noEquals.set(noEquals.indexOf("a=" + a), a.toString());
        userError(noEquals, "expected NAME=SPEC");
    }
}
