package modej.tasks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import modej.engine.jvm.JvmBackend;
import modej.model.method.AdaptedModel;
import modej.model.method.BackboneModel;
import modej.model.lora.LoraModel;
import modej.model.mode.ModeModel;
import modej.model.checkpoint.GptCheckpoint;
import modej.model.gpt.GptConfig;
import modej.model.gpt.GptParams;
import modej.model.lora.LoraParams;
import modej.model.lora.LoraSlot;
import modej.model.gpt.Runner;
import modej.model.mode.GateConfig;
import modej.model.mode.ModeConfig;
import modej.model.mode.ModeParams;
import modej.model.param.Slab;
import modej.model.tokenizer.ByteTokenizer;
import modej.tasks.generate.WindowSampler;

/**
 * {@code ./modej generate} on every kind of checkpoint the tool saves, end to end through
 * {@link Main#run}; the greedy text checked against the window-recomputing sampler on the same model.
 */
class GenerateCommandTest {

    static final GptConfig CONFIG = new GptConfig(256, 24, 2, 2, 16, true);
    static final int TOKENS = 12;

    @TempDir
    Path dir;
    Path backbone, full, lora, mode;
    GptParams base;
    LoraModel loraModel;
    ModeModel modeModel;

    static void randomise(Slab s, long seed) {
        randomise(s, seed, 0.3);
    }

    static void randomise(Slab s, long seed, double std) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] p = s.params().data();
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (r.nextGaussian() * std);
        }
    }

    @BeforeEach
    void files() throws IOException {
        base = new GptParams(CONFIG).init(3);
        randomise(base.embeddings(), 4);
        backbone = dir.resolve("backbone.safetensors");
        GptCheckpoint.save(backbone, base, Map.of(), false);
        GptParams tuned = new GptParams(CONFIG).init(3);
        randomise(tuned.embeddings(), 5);
        full = dir.resolve("full.safetensors");
        GptCheckpoint.save(full, tuned, Map.of("modej.method", "full"), false);
        LoraParams adapters = new LoraParams(CONFIG, 2, 4f, LoraSlot.TARGETS, 1);
        randomise(adapters.slab(), 6, 1.5);
        loraModel = new LoraModel("lora", base, adapters);
        lora = dir.resolve("lora.safetensors");
        loraModel.save(lora, Map.of());
        ModeParams m = new ModeParams(base, new ModeConfig(2, 1, List.of("code"), GateConfig.DEFAULT, "random"), 7);
        randomise(m.gate(), 8, 1.5);
        randomise(m.experts().get(0), 9, 0.5);
        modeModel = new ModeModel("mode", m, false, false);
        // as an experiment leaves them: DIR/backbone/checkpoint.safetensors and DIR/runs/RUN/model.safetensors
        Path experiment = dir.resolve("experiment");
        Files.createDirectories(experiment.resolve("backbone"));
        Files.copy(backbone, experiment.resolve("backbone").resolve("checkpoint.safetensors"));
        mode = experiment.resolve("runs").resolve("mode-seed0").resolve("model.safetensors");
        Files.createDirectories(mode.getParent());
        modeModel.save(mode, Map.of());
    }

    /** The greedy continuation of "The " by recomputing the window, computed here. */
    static String expected(AdaptedModel model) {
        try (JvmBackend be = new JvmBackend(1, true, false)) {
            return new WindowSampler(new Runner(model.graphs(1, CONFIG.context()), be, null), ByteTokenizer.INSTANCE,
                    CONFIG.context()).sample("The ", TOKENS, 0f, 0, 0);
        }
    }

    static TrainCommandTest.Run generate(String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("generate", "--tokens", Integer.toString(TOKENS),
                "--temperature", "0", "--threads", "1"));
        args.addAll(List.of(more));
        return TrainCommandTest.run(args);
    }

    static void assertGenerates(String text, TrainCommandTest.Run r) {
        assertEquals(0, r.code(), r.err());
        assertEquals(text + System.lineSeparator(), r.out());
    }

    @Test
    void everyKindOfCheckpointGenerates() {
        assertGenerates(expected(new BackboneModel(base, false)), generate("--checkpoint", backbone.toString()));
        assertGenerates(expected(new BackboneModel(GptCheckpoint.load(full, false).params(), false)),
                generate("--checkpoint", full.toString()));
        assertGenerates(expected(loraModel), generate("--checkpoint", lora.toString(), "--backbone", backbone.toString()));
        // the backbone beside the experiment's run is found without --backbone
        assertGenerates(expected(modeModel), generate("--checkpoint", mode.toString()));
        assertGenerates(expected(modeModel), generate("--checkpoint", mode.toString(), "--backbone", backbone.toString()));
    }

    @Test
    void theTextsDiffer() {
        // so that the test above could tell the kinds apart
        assertFalse(expected(loraModel).equals(expected(new BackboneModel(base, false))));
        assertFalse(expected(modeModel).equals(expected(new BackboneModel(base, false))));
    }

    @Test
    void anAdapterWithoutItsBackboneIsAOneLineError() {
        TrainCommandTest.Run r = generate("--checkpoint", lora.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("LoRA checkpoint: give the backbone it was trained on with --backbone FILE"), r.err());
        assertEquals(1, r.err().strip().lines().filter(l -> !l.startsWith("WARNING")).count(), r.err());

        TrainCommandTest.Run missing = generate("--checkpoint", lora.toString(), "--backbone", dir.resolve("nope").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("--backbone: no such file"), missing.err());

        Path other = dir.resolve("other.safetensors");
        GptCheckpoint.save(other, new GptParams(CONFIG).init(99), Map.of(), false);
        TrainCommandTest.Run wrong = generate("--checkpoint", mode.toString(), "--backbone", other.toString());
        assertEquals(2, wrong.code());
        assertTrue(wrong.err().contains("another backbone"), wrong.err());

        TrainCommandTest.Run none = generate("--checkpoint", dir.resolve("absent.safetensors").toString());
        assertEquals(2, none.code());
        assertTrue(none.err().contains("no checkpoint at"), none.err());
    }

    @Test
    void theDefaultIsThePretrainedBackboneElseTheNewestExperimentsOne() throws IOException {
        Path root = dir.resolve("root");
        UserError e = assertThrows(UserError.class, () -> GenerateCommand.defaultCheckpoint(root));
        assertTrue(e.getMessage().contains("./modej pretrain or ./modej experiment FILE"), e.getMessage());
        Path quick = root.resolve("runs/experiments/quickstart/backbone/checkpoint.safetensors");
        Files.createDirectories(quick.getParent());
        Files.copy(backbone, quick);
        assertEquals(quick, GenerateCommand.defaultCheckpoint(root));
        Path pretrained = root.resolve("runs/pretrain/checkpoint.safetensors");
        Files.createDirectories(pretrained.getParent());
        Files.copy(backbone, pretrained);
        assertEquals(pretrained, GenerateCommand.defaultCheckpoint(root));
    }
}
