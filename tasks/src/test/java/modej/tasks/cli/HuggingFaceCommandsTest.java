package modej.tasks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import modej.model.lora.LoraModel;
import modej.model.checkpoint.GptCheckpoint;
import modej.model.checkpoint.HuggingFaceGpt2;
import modej.model.gpt.GptConfig;
import modej.model.gpt.GptParams;
import modej.model.param.Slab;
import modej.model.tokenizer.Gpt2Tokenizer;

/**
 * {@code import} and {@code export} end to end with a GPT-2-vocabulary model: import, LoRA and full
 * fine-tuning on BPE tokens, export (LoRA merged), re-import bit for bit, and the user errors.
 */
class HuggingFaceCommandsTest {

    static final GptConfig CONFIG = new GptConfig(Gpt2Tokenizer.VOCAB, 16, 2, 2, 16, true);

    @TempDir
    Path dir;
    Path hf, backbone, data;

    @BeforeEach
    void files() throws IOException {
        hf = dir.resolve("gpt2-random");
        HuggingFaceGpt2.write(hf, new GptParams(CONFIG).init(5), Gpt2Tokenizer.INSTANCE, Map.of());
        backbone = dir.resolve("backbone.safetensors");
        data = TrainCommandTest.text(dir.resolve("english.txt"), "the cat sat on a mat and ran home. ", 3);
    }

    @Test
    void importTrainExportReimport() throws IOException {
        TrainCommandTest.Run imp = TrainCommandTest.run(List.of("import", "--huggingface", hf.toString(), "--out", backbone.toString()));
        assertEquals(0, imp.code(), imp.err());
        assertTrue(imp.out().contains("vocabulary 50,257 (gpt2 tokenizer)"), imp.out());
        GptCheckpoint.Loaded loaded = GptCheckpoint.load(backbone, false);
        assertEquals("gpt2", loaded.tokenizer().name());
        assertSame(HuggingFaceGpt2.read(hf).params(), loaded.params());

        Path lora = dir.resolve("lora.safetensors"), full = dir.resolve("full.safetensors");
        List<String> common = List.of("--backbone", backbone.toString(), "--data", "english=" + data, "--steps", "2",
                "--batch", "2", "--seq", "16", "--warmup-steps", "1", "--eval-batches", "1", "--threads", "2");
        TrainCommandTest.Run l = TrainCommandTest.run(concat(List.of("train", "--method", "lora", "--rank", "2",
                "--out", lora.toString()), common));
        assertEquals(0, l.code(), l.err());
        TrainCommandTest.Run f = TrainCommandTest.run(concat(List.of("train", "--method", "full", "--out", full.toString()), common));
        assertEquals(0, f.code(), f.err());
        assertEquals("gpt2", GptCheckpoint.load(full, false).tokenizer().name());

        // LoRA: exported = backbone with the adapters merged in
        Path loraOut = dir.resolve("lora-hf");
        TrainCommandTest.Run e1 = TrainCommandTest.run(List.of("export", "--checkpoint", lora.toString(),
                "--backbone", backbone.toString(), "--out", loraOut.toString()));
        assertEquals(0, e1.code(), e1.err());
        GptParams merged = LoraModel.load(lora, loaded.params()).lora().mergedInto(loaded.params());
        assertSame(merged, HuggingFaceGpt2.read(loraOut).params());
        assertTrue(!sameBits(merged, loaded.params()), "the adapters changed the weights");

        // full fine-tuning: exported and imported again, bit for bit
        Path fullOut = dir.resolve("full-hf"), again = dir.resolve("again.safetensors");
        assertEquals(0, TrainCommandTest.run(List.of("export", "--checkpoint", full.toString(), "--out", fullOut.toString())).code());
        assertEquals(0, TrainCommandTest.run(List.of("import", "--huggingface", fullOut.toString(), "--out", again.toString())).code());
        assertSame(GptCheckpoint.load(full, false).params(), GptCheckpoint.load(again, false).params());
    }

    @Test
    void userErrorsAreOneLine() throws IOException {
        TrainCommandTest.Run r = TrainCommandTest.run(List.of("import", "--huggingface", dir.resolve("nowhere").toString()));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("not a directory"), r.err());
        Files.writeString(hf.resolve("config.json"), "{\"model_type\": \"llama\"}");
        r = TrainCommandTest.run(List.of("import", "--huggingface", hf.toString(), "--out", backbone.toString()));
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("model_type: 'llama'; only GPT-2"), r.err());

        GptCheckpoint.save(backbone, new GptParams(CONFIG).init(1), Map.of(), false);
        Path lora = dir.resolve("l.safetensors");
        new LoraModel("lora", GptCheckpoint.load(backbone, false).params(),
                new modej.model.lora.LoraParams(CONFIG, 2, 4f, modej.model.lora.LoraSlot.TARGETS, 1)).save(lora, Map.of());
        r = TrainCommandTest.run(List.of("export", "--checkpoint", lora.toString(), "--out", dir.resolve("x").toString()));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--backbone: a LoRA checkpoint is merged into its backbone"), r.err());
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }

    private static void assertSame(GptParams a, GptParams b) {
        assertEquals(a.config(), b.config());
        assertTrue(sameBits(a, b), "parameters differ");
    }

    private static boolean sameBits(GptParams a, GptParams b) {
        for (int i = 0; i < a.slabs().size(); i++) {
            Slab x = a.slabs().get(i), y = b.slabs().get(i);
            float[] p = x.params().data(), q = y.params().data();
            for (int j = 0; j < p.length; j++) {
                if (Float.floatToRawIntBits(p[j]) != Float.floatToRawIntBits(q[j])) {
                    return false;
                }
            }
        }
        return true;
    }
}
