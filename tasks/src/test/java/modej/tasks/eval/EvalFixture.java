package modej.tasks.eval;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import modej.model.method.BackboneModel;
import modej.model.lora.LoraModel;
import modej.model.checkpoint.GptCheckpoint;
import modej.model.checkpoint.ModeCheckpoint;
import modej.model.gpt.GptConfig;
import modej.model.gpt.GptParams;
import modej.model.lora.LoraParams;
import modej.model.mode.GateConfig;
import modej.model.mode.ModeConfig;
import modej.model.mode.ModeParams;
import modej.model.param.Slab;
import modej.model.param.Slice;
import modej.tasks.cli.Main;

/**
 * Files for eval tests in a folder: a tiny backbone, two synthetic domains (English-like words and
 * digits), and checkpoints of each kind: full, LoRA, MoDE with a random gate, MoDE with its gate
 * forced onto the backbone, and MoDE with a sequence-level top-1 gate.
 */
final class EvalFixture {

    static final GptConfig CONFIG = new GptConfig(256, 16, 2, 2, 16, true);
    /** Held-out fraction: the domain files are 2-3 chunks, so a large one leaves each some held-out text. */
    static final double VALIDATION = 0.5;
    static final ModeConfig TWO_EXPERTS = new ModeConfig(2, 1, List.of("words", "numbers"), GateConfig.DEFAULT, "random");

    final Path dir, backbone, english, digits, full, lora, mode, forced, sequenceGate;
    final GptParams params;

    /** What {@link Main#run} printed and returned. */
    record Outcome(int code, String out, String err) {
    }

    EvalFixture(Path dir) throws IOException {
        this.dir = dir;
        backbone = dir.resolve("backbone.safetensors");
        english = dir.resolve("english.txt");
        digits = dir.resolve("digits.txt");
        full = dir.resolve("full.safetensors");
        lora = dir.resolve("lora.safetensors");
        mode = dir.resolve("mode.safetensors");
        forced = dir.resolve("forced.safetensors");
        sequenceGate = dir.resolve("sequence-gate.safetensors");
        params = new GptParams(CONFIG).init(1);
        GptCheckpoint.save(backbone, params, Map.of(), false);
        Files.writeString(english, words(new SplittableRandom(2), 10_000));
        Files.writeString(digits, numbers(new SplittableRandom(3), 10_000));

        GptParams tuned = new GptParams(CONFIG).init(1);
        jitter(tuned.layer(0), 0.05, 4);
        new BackboneModel(tuned, true).save(full, Map.of("modej.method", "full", "modej.train.seconds", "2.500",
                "modej.train.tokens", "1000", "modej.train.peak_heap_mib", "64", "modej.train.buffer_bytes", "3145728",
                "modej.params.trainable", Long.toString(CONFIG.parameterCount())));
        LoraParams adapters = new LoraParams(CONFIG, 2, 4f, Set.of("qkv", "fc"), 5);
        jitter(adapters.slab(), 0.1, 6);   // B starts at zero; make the adapters do something
        new LoraModel("lora", params, adapters).save(lora, Map.of("modej.method", "lora-matched"));

        ModeParams random = new ModeParams(params, TWO_EXPERTS, 7);
        jitter(random.gate(), 1.0, 8);
        ModeCheckpoint.save(mode, random, Map.of("modej.method", "mode-compose"), false);
        ModeParams onBackbone = new ModeParams(params, TWO_EXPERTS, 9);
        forceGate(onBackbone, 0);
        ModeCheckpoint.save(forced, onBackbone, Map.of("modej.method", "mode-compose",
                "modej.params.trainable", Integer.toString(onBackbone.gate().size())), false);
        ModeParams perSequence = new ModeParams(params, new ModeConfig(2, 1, List.of("words", "numbers"),
                new GateConfig(1, 1f, true, 0f), "random"), 10);
        jitter(perSequence.gate(), 3.0, 11);
        ModeCheckpoint.save(sequenceGate, perSequence, Map.of("modej.method", "mode-compose"), false);
    }

    /** Gate weights 0, bias +100 for source {@code on} and −100 for the others: all weight on one source. */
    static void forceGate(ModeParams m, int on) {
        Slab g = m.gate();
        for (Slice s : g.layout().slices()) {
            for (int i = 0; i < s.size(); i++) {
                g.params().data()[s.offset() + i] = s.name().endsWith(".bias") ? (i == on ? 100f : -100f) : 0f;
            }
        }
    }

    static void jitter(Slab s, double sigma, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] w = s.params().data();
        for (int i = 0; i < w.length; i++) {
            w[i] += (float) (rnd.nextGaussian() * sigma);
        }
    }

    static String words(SplittableRandom rnd, int chars) {
        String[] vocab = {"the", "cat", "sat", "on", "a", "mat", "and", "dog", "ran", "to", "his", "house"};
        StringBuilder s = new StringBuilder();
        while (s.length() < chars) {
            s.append(vocab[rnd.nextInt(vocab.length)]).append(rnd.nextInt(12) == 0 ? ".\n" : " ");
        }
        return s.toString();
    }

    static String numbers(SplittableRandom rnd, int chars) {
        StringBuilder s = new StringBuilder();
        while (s.length() < chars) {
            s.append(rnd.nextInt(100_000)).append(rnd.nextInt(8) == 0 ? "\n" : " ");
        }
        return s.toString();
    }

    /** The command line's data options for both domains. */
    List<String> dataArgs() {
        return List.of("--data", "english=" + english, "--data", "digits=" + digits);
    }

    /** Runs {@code ./modej} with stdout and stderr captured. */
    static Outcome run(List<String> args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Main.run(args.toArray(String[]::new));
            return new Outcome(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
