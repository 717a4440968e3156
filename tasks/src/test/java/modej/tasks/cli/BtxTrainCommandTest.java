package modej.tasks.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import modej.model.btx.BtxConfig;
import modej.model.btx.BtxModel;
import modej.model.checkpoint.GptCheckpoint;
import modej.model.checkpoint.ModeCheckpoint;
import modej.model.gpt.GptConfig;
import modej.model.gpt.GptParams;
import modej.model.param.Slab;

/**
 * BTX end to end through {@link Main#run}: both stages train and save, stage 2 loads the branches,
 * eval shows its routers per layer, generate samples from it, and its user errors are one line.
 */
class BtxTrainCommandTest {

    static final GptConfig CONFIG = new GptConfig(256, 32, 2, 2, 32, true);

    @TempDir
    Path dir;
    Path backbone, a, b;

    @BeforeEach
    void files() throws IOException {
        backbone = dir.resolve("backbone.safetensors");
        GptCheckpoint.save(backbone, new GptParams(CONFIG).init(3), Map.of(), false);
        a = TrainCommandTest.text(dir.resolve("a.txt"), "abcdefgh ", 1);
        b = TrainCommandTest.text(dir.resolve("b.txt"), "0123456789+=;", 2);
    }

    List<String> train(String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--backbone", backbone.toString(), "--data", "a=" + a,
                "--data", "b=" + b, "--steps", "3", "--batch", "2", "--seq", "16", "--threads", "1", "--validation", "0.5",
                "--warmup-steps", "1"));
        args.addAll(List.of(more));
        return args;
    }

    @Test
    void bothStagesTrainAndTheMixEvaluatesAndGenerates() throws IOException {
        byte[] before = Files.readAllBytes(backbone);
        Path ba = dir.resolve("runs/btx-a.safetensors"), bb = dir.resolve("runs/btx-b.safetensors");
        Path mix = dir.resolve("runs/btx-mix.safetensors");
        TrainCommandTest.Run r = TrainCommandTest.ok(train("--method", "btx-branch", "--domain", "a", "--out", ba.toString()));
        assertTrue(r.out().contains("validation (a): loss"), r.out());
        TrainCommandTest.ok(train("--method", "btx-branch", "--domain", "b", "--out", bb.toString()));
        r = TrainCommandTest.ok(train("--method", "btx-mix", "--expert", "a=" + ba, "--expert", "b=" + bb, "--top-k", "1",
                "--out", mix.toString()));
        assertTrue(r.out().contains("validation (b): loss"), "a mixed method is validated on every domain: " + r.out());
        // stage 2 on 3 sources with top-1: the backbone without its MLPs, the router, 1 of 3 FFN experts per token
        long mlp = 2 * (8L * 32 * 32 + 5 * 32);
        assertTrue(r.err().contains(String.format("btx-mix: %,d parameters, %,d trainable, %,d active per token",
                CONFIG.parameterCount() + 3 * mlp + 2 * (3 * 32 + 3), 3 * mlp + 2 * (3 * 32 + 3),
                CONFIG.parameterCount() + 2 * (3 * 32 + 3))), r.err());

        GptParams base = GptCheckpoint.load(backbone, false).params();
        Slab branchA = BtxModel.loadBranch(ba, "a", base);
        BtxModel loaded = BtxModel.load(mix, base, "btx");
        assertEquals(new BtxConfig(List.of("a", "b"), true, 1, 0.01f), loaded.params().config());
        assertEquals(ModeCheckpoint.fingerprint(base), GptCheckpoint.metadata(mix).get(ModeCheckpoint.BACKBONE_KEY));
        assertEquals("btx-mix", GptCheckpoint.metadata(mix).get("modej.method"));
        assertFalse(Arrays.equals(branchA.params().data(), loaded.params().expert("a").params().data()),
                "stage 2 trained the branch it loaded");
        assertNotNull(loaded.params().router());
        assertArrayEquals(before, Files.readAllBytes(backbone), "the backbone file changed");

        // eval: the router's weights per domain and layer
        TrainCommandTest.Run e = TrainCommandTest.ok(List.of("eval", "--backbone", backbone.toString(), "--data", "a=" + a,
                "--data", "b=" + b, "--model", "mix=btx:" + mix, "--batch", "2", "--seq", "16", "--eval-batches", "2",
                "--threads", "1", "--validation", "0.5"));
        assertTrue(e.out().contains("routers of mix"), e.out());
        assertTrue(e.out().matches("(?s).*domain\\s+layer\\s+backbone\\s+a\\s+b\\s+H\\(mean\\).*"), e.out());
        // generate: the kind from the metadata, the KV-cache decoder
        TrainCommandTest.Run g = TrainCommandTest.ok(List.of("generate", "--checkpoint", mix.toString(), "--backbone",
                backbone.toString(), "--tokens", "8", "--temperature", "0", "--threads", "1", "--time", "1"));
        assertTrue(g.out().contains("8 tokens from a 4-byte prompt, btx model"), g.out());
    }

    @Test
    void aStoppedMixContinuesBitForBitWithResume() throws IOException {
        Path ba = dir.resolve("stages/btx-a.safetensors"), whole = dir.resolve("mix/whole.safetensors");
        Path parts = dir.resolve("mix/parts.safetensors");
        TrainCommandTest.ok(train("--method", "btx-branch", "--domain", "a", "--out", ba.toString()));
        TrainCommandTest.ok(train("--method", "btx-mix", "--expert", "a=" + ba, "--top-k", "1", "--out", whole.toString()));
        TrainCommandTest.Run stopped = TrainCommandTest.ok(train("--method", "btx-mix", "--expert", "a=" + ba, "--top-k", "1",
                "--out", parts.toString(), "--stop-after", "2"));
        assertTrue(stopped.out().contains("stopped; state saved to"), stopped.out());
        TrainCommandTest.Run other = TrainCommandTest.run(train("--method", "btx-mix", "--expert", "a=" + ba, "--top-k", "2",
                "--out", parts.toString(), "--resume"));
        assertEquals(2, other.code(), "another top-k is another run: " + other.err());
        TrainCommandTest.ok(train("--method", "btx-mix", "--expert", "a=" + ba, "--top-k", "1", "--out", parts.toString(), "--resume"));
        var expected = modej.model.checkpoint.Safetensors.read(whole).tensors();
        var actual = modej.model.checkpoint.Safetensors.read(parts).tensors();
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((tensor, data) -> assertEquals(data, actual.get(tensor), tensor));
    }

    @Test
    void userErrorsExitWithTwoAndOneLine() throws IOException {
        Path ba = dir.resolve("stages/btx-a.safetensors"), out = dir.resolve("out/x.safetensors");
        TrainCommandTest.ok(train("--method", "btx-branch", "--domain", "a", "--out", ba.toString()));
        Path mode = dir.resolve("stages/mode-a.safetensors");
        TrainCommandTest.ok(train("--method", "mode-expert", "--domain", "a", "--out", mode.toString()));
        userError(train("--method", "btx-branch", "--out", out.toString()), "needs --domain");
        userError(train("--method", "btx-mix", "--out", out.toString()), "needs --expert");
        userError(train("--method", "btx-mix", "--expert", "a=" + ba, "--train", "gate", "--out", out.toString()),
                "--train must be 'all' or 'router'");
        userError(train("--method", "btx-mix", "--expert", "a=" + ba, "--top-k", "3", "--out", out.toString()), "topK");
        userError(train("--method", "btx-mix", "--expert", "b=" + ba, "--out", out.toString()), "not a btx-branch checkpoint of domain 'b'");
        userError(train("--method", "btx-mix", "--expert", "a=" + mode, "--out", out.toString()), "not a BTX checkpoint");
    }

    void userError(List<String> args, String hint) {
        TrainCommandTest.Run r = TrainCommandTest.run(args);
        assertEquals(2, r.code(), () -> String.join(" ", args) + "\n" + r.err());
        List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.get(0).startsWith("modej ") && lines.get(0).contains(hint), lines.get(0));
        assertFalse(Files.exists(dir.resolve("out")), "an output was written");
    }
}
