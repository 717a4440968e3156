package modej.tasks.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import modej.engine.jvm.JvmBackend;
import modej.model.checkpoint.GptCheckpoint;
import modej.model.checkpoint.ModeCheckpoint;
import modej.model.gpt.GptParams;
import modej.model.gpt.Runner;
import modej.model.moelora.MoeLoraConfig;
import modej.model.moelora.MoeLoraModel;
import modej.model.moelora.MoeLoraParams;
import modej.model.tokenizer.ByteTokenizer;
import modej.tasks.generate.WindowSampler;

/** {@code train --method moe-lora} end to end through {@link Main#run}, then {@code eval} and {@code generate} from its checkpoint. */
class MoeLoraCommandTest {

    @TempDir
    Path dir;
    Path backbone, a, b;

    @BeforeEach
    void files() throws IOException {
        backbone = dir.resolve("backbone.safetensors");
        GptCheckpoint.save(backbone, new GptParams(TrainCommandTest.CONFIG).init(3), Map.of(), false);
        a = TrainCommandTest.text(dir.resolve("a.txt"), "abcdefgh ", 1);
        b = TrainCommandTest.text(dir.resolve("b.txt"), "0123456789+=;", 2);
    }

    List<String> train(String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--method", "moe-lora", "--backbone", backbone.toString(),
                "--data", "a=" + a, "--data", "b=" + b, "--steps", "3", "--batch", "2", "--seq", "16", "--threads", "1",
                "--validation", "0.5", "--warmup-steps", "1", "--lr", "1e-2"));
        args.addAll(List.of(more));
        return args;
    }

    @Test
    void trainsSavesEvaluatesAndGenerates() throws IOException {
        byte[] before = Files.readAllBytes(backbone);
        Path out = dir.resolve("out/moe.safetensors");
        TrainCommandTest.Run r = TrainCommandTest.ok(train("--lora-experts", "3", "--rank", "2", "--top-k", "1",
                "--targets", "qkv,fc", "--out", out.toString()));
        assertTrue(r.out().contains("saved " + out), r.out());
        assertTrue(r.out().contains("validation (a): loss") && r.out().contains("validation (b): loss"), r.out());
        assertArrayEquals(before, Files.readAllBytes(backbone), "the backbone file changed");

        // the checkpoint: its own slab, options, and the backbone's fingerprint
        GptParams base = GptCheckpoint.load(backbone, false).params();
        Map<String, String> meta = GptCheckpoint.metadata(out);
        assertEquals(ModeCheckpoint.fingerprint(base), meta.get(ModeCheckpoint.BACKBONE_KEY));
        assertEquals("moe-lora", meta.get("modej.method"));
        MoeLoraModel model = MoeLoraModel.load(out, base);
        assertEquals(new MoeLoraConfig(3, 2, 16f, Set.of("qkv", "fc"), 1, 0.01f), model.params().config());
        float[] init = new MoeLoraParams(base.config(), model.params().config(), 1337).slab().params().data();
        assertFalse(java.util.Arrays.equals(init, model.params().slab().params().data()), "training changed nothing");

        // eval: the routers per layer, e0..e2, with top-1 weights (one expert per token: entropy 0)
        Path json = dir.resolve("eval.json");
        TrainCommandTest.Run e = TrainCommandTest.run(List.of("eval", "--backbone", backbone.toString(), "--data", "a=" + a,
                "--data", "b=" + b, "--model", "moe=moe-lora:" + out, "--batch", "2", "--seq", "16", "--eval-batches", "2",
                "--validation", "0.5", "--threads", "1", "--json", json.toString()));
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("routers of moe"), e.out());
        JsonNode moe = null;
        for (JsonNode m : new ObjectMapper().readTree(json.toFile()).get("models")) {
            moe = m.get("label").asText().equals("moe") ? m : moe;
        }
        JsonNode layers = moe.get("gates").get("a");
        assertEquals(TrainCommandTest.CONFIG.layers(), layers.size());
        for (JsonNode layer : layers) {
            assertEquals(List.of("e0", "e1", "e2"), new ObjectMapper().convertValue(layer.get("sources"), List.class));
            double sum = 0;
            for (JsonNode w : layer.get("meanWeights")) {
                sum += w.asDouble();
            }
            assertEquals(1, sum, 1e-6);
            assertEquals(0, layer.get("meanEntropy").asDouble(), 1e-6, "top-1 weights have no entropy");
        }
        assertEquals(model.counts().total(), moe.get("costs").get("totalParams").asLong());

        // generate: the cached decoder gives the greedy text that recomputing the window gives
        String expected;
        try (JvmBackend be = new JvmBackend(1, true, false)) {
            expected = new WindowSampler(new Runner(model.graphs(1, base.config().context()), be, null), ByteTokenizer.INSTANCE,
                    base.config().context()).sample("The ", 12, 0f, 0, 0);
        }
        TrainCommandTest.Run g = TrainCommandTest.run(List.of("generate", "--checkpoint", out.toString(), "--backbone",
                backbone.toString(), "--tokens", "12", "--temperature", "0", "--threads", "1"));
        assertEquals(0, g.code(), g.err());
        assertEquals(expected + System.lineSeparator(), g.out());
        TrainCommandTest.Run noBackbone = TrainCommandTest.run(List.of("generate", "--checkpoint", out.toString()));
        assertEquals(2, noBackbone.code());
        assertTrue(noBackbone.err().contains("MoE-LoRA checkpoint: give the backbone"), noBackbone.err());
    }

    @Test
    void badOptionsAreOneLineErrors() {
        for (var c : List.of(List.of(List.of("--top-k", "5"), "top-k must be between 0 (dense) and experts (4), got 5"),
                List.of(List.of("--lora-experts", "0"), "experts must be >= 1"),
                List.of(List.of("--rank", "0"), "--rank must be >= 1"),
                List.of(List.of("--balance", "-1"), "balance must be >= 0"),
                List.of(List.of("--targets", "qkv,mlp"), "targets: expected some of"))) {
            @SuppressWarnings("unchecked")
            List<String> more = new ArrayList<>((List<String>) c.get(0));
            more.addAll(List.of("--out", dir.resolve("out/x.safetensors").toString()));
            TrainCommandTest.Run r = TrainCommandTest.run(train(more.toArray(String[]::new)));
            assertEquals(2, r.code(), r.err());
            List<String> lines = r.err().lines().filter(l -> !l.isBlank() && !l.startsWith("WARNING")).toList();
            assertEquals(1, lines.size(), r.err());
            assertTrue(lines.get(0).startsWith("modej train: ") && lines.get(0).contains((String) c.get(1)), lines.get(0));
        }
    }
}
