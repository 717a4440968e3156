package modej.tasks.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import modej.model.checkpoint.GptCheckpoint;
import modej.model.checkpoint.HuggingFaceGpt2;
import modej.model.gpt.GptConfig;
import modej.model.gpt.GptParams;
import modej.model.tokenizer.Gpt2Tokenizer;

/**
 * {@code backbone: {huggingface: DIR}}: the directory is imported once, every domain is tokenised
 * with GPT-2's BPE, and math answers are scored through it; a second run reuses the import.
 */
class HuggingFaceBackboneTest {

    @TempDir
    Path dir;

    @Test
    void experimentOnAnImportedGpt2() throws IOException {
        Path hf = dir.resolve("gpt2");
        HuggingFaceGpt2.write(hf, new GptParams(new GptConfig(Gpt2Tokenizer.VOCAB, 16, 2, 2, 16, true)).init(9),
                Gpt2Tokenizer.INSTANCE, Map.of());
        Path english = Files.createDirectories(dir.resolve("english"));
        SplittableRandom rnd = new SplittableRandom(1);
        String[] words = {"the", "cat", "sat", "on", "a", "mat", "and", "dog", "ran", "home"};
        for (int f = 0; f < 12; f++) {
            StringBuilder s = new StringBuilder();
            while (s.length() < 600) {
                s.append(words[rnd.nextInt(words.length)]).append(rnd.nextInt(9) == 0 ? ".\n" : " ");
            }
            Files.writeString(english.resolve(f + ".txt"), s);
        }
        Path config = dir.resolve("exp.yaml"), out = dir.resolve("out");
        Files.writeString(config, """
                name: hf
                backbone: {huggingface: %s}
                domains:
                  english: %s
                  math: "math?count=60&seed=3"
                methods:
                  - {name: frozen, method: frozen}
                  - {name: full, method: full}
                budget: {steps: 2, batch: 2, seq: 16, warmupSteps: 1}
                seeds: [0]
                evaluation: {evalBatches: 1, validation: 0.3, mathProblems: 2, mathTokens: 4}
                """.formatted(hf, english));
        TinyExperiment.Outcome first = run(config, out);
        assertEquals(0, first.code(), first.err());
        assertTrue(first.err().contains("backbone: imported"), first.err());
        Path imported = out.resolve("backbone").resolve("imported.safetensors");
        assertEquals("gpt2", GptCheckpoint.metadata(imported).get("modej.tokenizer"));
        assertTrue(Files.isRegularFile(out.resolve("runs").resolve("full-seed0").resolve("result.json")));
        String data = Files.readString(out.resolve("data.json"));
        assertTrue(data.contains("english"), data);
        TinyExperiment.Outcome second = run(config, out);
        assertEquals(0, second.code(), second.err());
        assertTrue(second.err().contains("(imported from"), second.err());
    }

    private static TinyExperiment.Outcome run(Path config, Path out) {
        var o = System.out;
        var e = System.err;
        var bo = new java.io.ByteArrayOutputStream();
        var be = new java.io.ByteArrayOutputStream();
        try {
            System.setOut(new java.io.PrintStream(bo, true, java.nio.charset.StandardCharsets.UTF_8));
            System.setErr(new java.io.PrintStream(be, true, java.nio.charset.StandardCharsets.UTF_8));
            int code = modej.tasks.cli.Main.run("experiment", config.toString(), "--out", out.toString(), "--threads", "2");
            return new TinyExperiment.Outcome(code, bo.toString(java.nio.charset.StandardCharsets.UTF_8),
                    be.toString(java.nio.charset.StandardCharsets.UTF_8));
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
    }
}
