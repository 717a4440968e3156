package modej.tasks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

import modej.model.checkpoint.GptCheckpoint;
import modej.model.gpt.GptConfig;
import modej.model.gpt.GptParams;

/**
 * Malformed configs, corpora, checkpoints and arguments, one table: each must end with exit code 2
 * and one line on stderr ({@code <command>: <what is wrong>}), no stack trace, before any training.
 */
class MalformedInputTest {

    static final GptConfig CONFIG = new GptConfig(256, 32, 1, 2, 32, true);

    @TempDir
    Path dir;
    Path backbone, a, b, empty, garbage, truncated, text, finished, folder;

    /** One malformed input: the arguments (with {@code $DIR} for the temporary folder) and a fragment of the message. */
    record Case(String args, String expected) {
    }

    @BeforeEach
    void files() throws IOException {
        backbone = dir.resolve("backbone.safetensors");
        GptParams p = new GptParams(CONFIG).init(3).makeTrainable();
        GptCheckpoint.save(backbone, p, Map.of("modej.step", "4"), true);
        a = TrainCommandTest.text(dir.resolve("a.txt"), "abcdefgh ", 1);
        b = TrainCommandTest.text(dir.resolve("b.txt"), "0123456789+=;", 2);
        empty = Files.writeString(dir.resolve("empty.txt"), "");
        garbage = Files.write(dir.resolve("garbage.safetensors"), new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        byte[] whole = Files.readAllBytes(backbone);
        truncated = Files.write(dir.resolve("truncated.safetensors"), Arrays.copyOf(whole, whole.length / 2));
        text = Files.writeString(dir.resolve("text.safetensors"), "this is not a checkpoint at all, just some text\n");
        finished = dir.resolve("finished");
        Files.createDirectories(finished);
        Files.copy(backbone, finished.resolve("checkpoint.safetensors"));
        Files.copy(backbone, dir.resolve("done.safetensors"));
        folder = Files.createDirectories(dir.resolve("folder.safetensors"));
        String top = "name: x\nbackbone: {checkpoint: " + backbone + "}\ndomains: {a: " + a + "}\n";
        String head = top + "methods: [{name: full, method: full}]\n";
        Files.writeString(dir.resolve("unknown-key.yaml"), head + "colour: red\n");
        Files.writeString(dir.resolve("bad-type.yaml"), head + "budget: {steps: eight}\n");
        Files.writeString(dir.resolve("bad-syntax.yaml"), head + "budget: {steps: [\n");
        Files.writeString(dir.resolve("bad-clip.yaml"), head + "budget: {gradClip: -1}\n");
        Files.writeString(dir.resolve("bad-method.yaml"), top + "methods:\n  - {name: m, method: magic}\n");
        Files.writeString(dir.resolve("stage2.yaml"), head + "budget: {steps: 10, stage2Steps: 10}\n");
        Files.writeString(dir.resolve("tornado.properties"), "b*.expert.*.device=tornado:0\n");
    }

    private List<Case> cases() {
        // without --heads, --steps, --batch, --validation and --threads, which cases give (an option may be given once)
        String p = "pretrain --corpus " + a + " --layers 1 --width 32 --context 32 --sample-tokens 0 --out " + dir.resolve("p") + " ";
        String t = "train --backbone " + backbone + " --data a=" + a + " --data b=" + b + " --steps 2 --batch 2 --threads 1 "
                + "--out " + dir.resolve("t/out.safetensors") + " ";
        String e = "experiment " + dir + "/";
        return List.of(
                // command-line arguments
                new Case("pretrain --layrs 3", "Unknown option"),
                new Case("pretrain --steps abc", "Invalid value"),
                new Case("pretrain --steps", "Missing required parameter"),
                new Case("nosuchcommand", "Unmatched argument"),
                new Case(p + "--steps 0", "steps >= 1"),
                new Case(p + "--batch 0", "batch, seq and steps must be >= 1"),
                new Case(p + "--preset huge", "unknown preset 'huge'"),
                new Case(p + "--heads 3", "not a multiple of heads"),
                new Case(p + "--seq 100", "exceeds the context length 32"),
                new Case(p + "--validation 1.5", "--validation must be in (0, 1)"),
                new Case(p + "--grad-clip -1", "--grad-clip must be a finite number >= 0"),
                new Case(p + "--grad-clip NaN", "--grad-clip must be a finite number >= 0"),
                new Case(p + "--lr 0", "need 0 <= min-lr <= lr and lr > 0"),
                new Case(p + "--lr 0.01 --min-lr 1", "need 0 <= min-lr <= lr"),
                new Case(p + "--eval-batches 0", "eval-batches >= 1"),
                new Case(p + "--checkpoint-every -1", "checkpoint-every must be >= 0"),
                new Case(p + "--resume --force", "--resume and --force exclude each other"),
                new Case(p + "--resume", "--resume: no checkpoint at"),
                new Case(p + "--threads 0", "--threads must be >= 1"),
                new Case(p.replace("--layers 1 --width 32 --context 32", "--layers 48 --width 4096 --heads 32"),
                        "MODEJ_JAVA_OPTS=-Xmx"),
                new Case(p + "--batch 100000", "MODEJ_JAVA_OPTS=-Xmx"),
                // outputs
                new Case(p.replace(dir.resolve("p").toString(), "/proc/modej-x"), "cannot write --out /proc/modej-x"),
                new Case(p.replace(dir.resolve("p").toString(), finished.toString()), "exists: continue that run with --resume"),
                new Case(p.replace(dir.resolve("p").toString(), finished.toString()).replace("--layers 1", "--layers 2")
                        + "--heads 2 --validation 0.3 --resume",
                        "--resume: the checkpoint's model is --layers 1"),
                new Case(t.replace(dir.resolve("t/out.safetensors").toString(), dir.resolve("done.safetensors").toString())
                        + "--method full", "exists (a finished run); pass --force"),
                new Case(t.replace(dir.resolve("t/out.safetensors").toString(), folder.toString()) + "--method full", "is a folder"),
                // corpora
                new Case(p.replace("--corpus " + a, "--corpus " + dir.resolve("missing.txt")) + "--heads 2", "missing.txt"),
                new Case(p.replace("--corpus " + a, "--corpus " + empty) + "--heads 2", "empty.txt"),
                new Case(t.replace("a=" + a, "a=" + dir.resolve("none.txt")) + "--method full", "none.txt"),
                new Case(t.replace("a=" + a, a.toString()) + "--method full", "expected NAME=SPEC"),
                // checkpoints
                new Case(t.replace(backbone.toString(), dir.resolve("missing.safetensors").toString()) + "--method full",
                        "missing.safetensors"),
                new Case(t.replace(backbone.toString(), garbage.toString()) + "--method full", "garbage.safetensors"),
                new Case(t.replace(backbone.toString(), truncated.toString()) + "--method full", "truncated.safetensors"),
                new Case(t.replace(backbone.toString(), text.toString()) + "--method full", "text.safetensors"),
                new Case(t + "--method mode-compose --expert x=" + dir.resolve("nope.safetensors"), "nope.safetensors"),
                new Case(t + "--method mode-compose --expert x=" + backbone, "backbone.safetensors"),
                // train options
                new Case(t + "--method magic", "unknown --method 'magic'"),
                new Case("train --backbone " + backbone + " --data a=" + a, "Missing required option: '--method"),
                new Case(t + "--method mode-expert", "needs --domain"),
                new Case(t + "--method mode-expert --blocks 1 --domain zz", "no domain 'zz'"),
                new Case(t + "--method mode-compose", "needs --expert"),
                new Case(t + "--method full --grad-clip -2", "grad-clip must be a finite number >= 0"),
                new Case(t + "--method full --resume --force", "--resume and --force exclude each other"),
                new Case(t + "--method full --seq 100", "exceeds the backbone's context length 32"),
                new Case(t + "--method full --checkpoint-every -1", "--checkpoint-every must be >= 0"),
                new Case(t + "--method full --stop-after 0", "--stop-after must be >= 1"),
                new Case(t + "--method full --resume", "--resume: no stopped run at"),
                new Case(t + "--method lora --rank 0", "rank"),
                new Case(t + "--method mode-expert --domain a --blocks 3", "blocks"),
                // devices
                new Case("bench --backend jvm,gpu:0", "unknown device 'gpu:0' in --backend jvm,gpu:0; valid: jvm, tornado:N"),
                new Case("bench --backend jvm,tornado:x", "unknown device 'tornado:x'"),
                new Case("bench --backend jvm,jvm", "lists jvm twice"),
                new Case("bench --backend jvm,tornado:0", "the TornadoVM backend is not on the class path"),
                new Case("bench --backend tornado:0,jvm --device 1", "--device selects the device of --backend tornado"),
                new Case("bench --backend tornado:0 --threads 1", "options of the jvm device"),
                new Case("bench --backend cuda", "unknown --backend 'cuda'"),
                new Case("bench --layers 2 --strategy mpmd --threads 2 --graph-config " + dir.resolve("tornado.properties"),
                        "unknown device 'tornado:0'; valid devices: jvm:0, jvm:1"),
                // experiment configs
                new Case(e + "missing.yaml", "no such experiment file"),
                new Case(e + "unknown-key.yaml", "colour: unknown key 'colour'"),
                new Case(e + "bad-type.yaml", "budget.steps"),
                new Case(e + "bad-syntax.yaml", "bad-syntax.yaml"),
                new Case(e + "bad-clip.yaml", "gradClip: must be a finite number >= 0"),
                new Case(e + "bad-method.yaml", "magic"),
                new Case(e + "stage2.yaml", "stage2Steps"),
                new Case(e + "unknown-key.yaml --set budget.stpes=3", "stpes"));
    }

    @Test
    void everyMalformedInputExitsWithTwoAndOneLine() {
        List<Case> all = cases();
        assertTrue(all.size() >= 40, "only " + all.size() + " cases");
        List<String> failures = new ArrayList<>();
        long slowest = 0;
        for (Case c : all) {
            long t0 = System.nanoTime();
            TrainCommandTest.Run r = TrainCommandTest.run(List.of(c.args().trim().split(" +")));
            slowest = Math.max(slowest, System.nanoTime() - t0);
            List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
            String problem = r.code() != 2 ? "exit " + r.code()
                    : lines.size() != 1 ? lines.size() + " lines"
                    : r.err().contains("\tat ") || r.err().contains("Exception") ? "a stack trace"
                    : !lines.get(0).contains(c.expected()) ? "no '" + c.expected() + "'"
                    : !lines.get(0).startsWith("modej") ? "no command prefix" : null;
            if (problem != null) {
                failures.add(c.args() + " -> " + problem + ":\n" + r.err());
            }
        }
        assertEquals(List.of(), failures, String.join("\n", failures));
        assertFalse(Files.exists(dir.resolve("p")), "a refused pretrain left its output folder");
        assertFalse(Files.exists(dir.resolve("t")), "a refused train left its output folder");
    }
}
