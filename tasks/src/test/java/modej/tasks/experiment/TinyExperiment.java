package modej.tasks.experiment;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import modej.tasks.cli.Main;

/**
 * A tiny experiment in a folder for tests: three synthetic text domains (English-like words, numbers,
 * code-like lines; 24 small files each, and one empty file among the numbers) plus generated math problems, a 2-layer width-16 backbone
 * pretrained for 3 steps, and full fine-tuning and MoDE for 2 seeds with a 5-step budget.
 */
final class TinyExperiment {

    final Path dir, config, out;

    /** What {@link Main#run} printed and returned. */
    record Outcome(int code, String out, String err) {
    }

    TinyExperiment(Path dir) throws IOException {
        this.dir = dir;
        this.out = dir.resolve("out");
        SplittableRandom rnd = new SplittableRandom(7);
        Path english = folder("english", () -> words(rnd));
        Path numbers = folder("numbers", () -> numbers(rnd));
        Files.writeString(numbers.resolve("empty.txt"), ""); // read, left out, and counted in the report
        Path code = folder("code", () -> code(rnd));
        this.config = dir.resolve("experiment.yaml");
        Files.writeString(config, """
                name: tiny
                backbone:
                  pretrain: {corpus: %s, layers: 2, width: 16, heads: 2, context: 16, steps: 3, batch: 2,
                             warmupSteps: 1, evalBatches: 1, validation: 0.3, checkpointEvery: 0}
                domains:
                  english: %s
                  numbers: %s
                  code: %s
                  math: "math?count=60&seed=3"
                methods:
                  - {name: full, method: full}
                  - {name: mode, method: mode, blocks: 2, expertLayers: 1, init: random}
                budget: {steps: 5, stage2Steps: 2, batch: 2, seq: 16, warmupSteps: 1, lr: 3e-3}
                seeds: [0, 1]
                evaluation: {evalBatches: 2, validation: 0.3, lossEvery: 1, mathProblems: 2, mathTokens: 6}
                """.formatted(english, english, numbers, code));
    }

    private Path folder(String name, java.util.function.Supplier<String> text) throws IOException {
        Path d = dir.resolve(name);
        Files.createDirectories(d);
        for (int i = 0; i < 24; i++) {
            Files.writeString(d.resolve(name + i + ".txt"), text.get());
        }
        return d;
    }

    private static String words(SplittableRandom rnd) {
        String[] vocab = {"the", "cat", "sat", "on", "a", "mat", "and", "dog", "ran", "to", "his", "house"};
        StringBuilder s = new StringBuilder();
        while (s.length() < 400) {
            s.append(vocab[rnd.nextInt(vocab.length)]).append(rnd.nextInt(10) == 0 ? ".\n" : " ");
        }
        return s.toString();
    }

    private static String numbers(SplittableRandom rnd) {
        StringBuilder s = new StringBuilder();
        while (s.length() < 400) {
            s.append(rnd.nextInt(100_000)).append(rnd.nextInt(8) == 0 ? "\n" : " ");
        }
        return s.toString();
    }

    private static String code(SplittableRandom rnd) {
        StringBuilder s = new StringBuilder();
        while (s.length() < 400) {
            s.append("int x").append(rnd.nextInt(10)).append(" = y").append(rnd.nextInt(10)).append(" + 1;\n");
        }
        return s.toString();
    }

    /** Runs {@code ./modej experiment} on the config with {@code extra} arguments, output captured. */
    Outcome run(String... extra) {
        List<String> args = new ArrayList<>(List.of("experiment", config.toString(), "--out", out.toString(), "--threads", "2"));
        args.addAll(List.of(extra));
        return capture(args);
    }

    /** Runs the CLI with {@code args}, output captured. */
    static Outcome capture(List<String> args) {
        PrintStream o = System.out, e = System.err;
        ByteArrayOutputStream bo = new ByteArrayOutputStream(), be = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(bo, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(be, true, StandardCharsets.UTF_8));
            int code = Main.run(args.toArray(String[]::new));
            return new Outcome(code, bo.toString(StandardCharsets.UTF_8), be.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
    }

    Path result(String label) {
        return out.resolve("runs").resolve(label).resolve("result.json");
    }
}
