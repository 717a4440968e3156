package modej.tasks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import modej.model.checkpoint.GptCheckpoint;
import modej.model.checkpoint.Safetensors;
import modej.model.gpt.GptParams;
import picocli.CommandLine;

/**
 * {@code train --strategy spmd|mpmd --graph-config FILE} through {@link Main#run}: MoDE stage 1 and
 * stage 2 placed on the JVM backend's two devices (its workers, {@code jvm:0} and {@code jvm:1})
 * give the plain run's losses, validations and saved weights bit for bit, mpmd on one device equals
 * spmd, and every bad combination is one line with exit code 2. (Two members of a device list,
 * which need TornadoVM on the command line, are {@code PlacedAdaptationTest}'s.)
 */
class TrainPlacementTest {

    @TempDir
    Path dir;
    Path backbone, a, b, experts;

    @BeforeEach
    void files() throws IOException {
        backbone = dir.resolve("backbone.safetensors");
        GptCheckpoint.save(backbone, new GptParams(TrainCommandTest.CONFIG).init(3), Map.of(), false);
        a = TrainCommandTest.text(dir.resolve("a.txt"), "abcdefgh ", 1);
        b = TrainCommandTest.text(dir.resolve("b.txt"), "0123456789+=;", 2);
        experts = Files.writeString(dir.resolve("experts.properties"), "b*.expert.*.device=jvm:1\nb*.expert.*.backward.device=jvm:1\n");
    }

    /** {@code train} on both domains for 3 steps, validating at steps 2 and 3, saving {@code out}. */
    List<String> train(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--backbone", backbone.toString(), "--data", "a=" + a,
                "--data", "b=" + b, "--steps", "3", "--batch", "2", "--seq", "16", "--validation", "0.5",
                "--warmup-steps", "1", "--eval-every", "2", "--eval-batches", "2", "--out", out.toString()));
        args.addAll(List.of(more));
        return args;
    }

    /** What a run printed that its placement must not change: step losses and validations (not times). */
    static List<String> results(TrainCommandTest.Run r) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("(step \\d+/\\d+ +loss \\S+|validation[^\\n]*loss [^\\n]*)").matcher(r.err() + "\n" + r.out());
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    static void assertSameWeights(Path expected, Path actual) {
        var want = Safetensors.read(expected).tensors();
        var got = Safetensors.read(actual).tensors();
        assertEquals(want.keySet(), got.keySet(), actual.toString());
        want.forEach((tensor, data) -> assertEquals(data, got.get(tensor), actual + ": " + tensor));
    }

    @Test
    void modeStagesPlacedOnTwoDevicesTrainAndSaveBitIdentically() {
        Path ea = dir.resolve("ea.safetensors"), eaPlaced = dir.resolve("ea-placed.safetensors");
        Path eb = dir.resolve("eb.safetensors");
        List<String> stage1 = List.of("--method", "mode-expert", "--domain", "a");
        TrainCommandTest.Run plain1 = TrainCommandTest.ok(with(train(ea, "--threads", "1"), stage1));
        TrainCommandTest.Run placed1 = TrainCommandTest.ok(with(train(eaPlaced, "--threads", "2", "--strategy", "mpmd",
                "--graph-config", experts.toString()), stage1));
        assertTrue(results(plain1).size() >= 3, plain1.err() + plain1.out());
        assertEquals(results(plain1), results(placed1), "stage 1");
        assertSameWeights(ea, eaPlaced);
        TrainCommandTest.ok(train(eb, "--threads", "1", "--method", "mode-expert", "--domain", "b"));

        List<String> stage2 = List.of("--method", "mode-compose", "--expert", "a=" + ea, "--expert", "b=" + eb);
        Path plain = dir.resolve("c.safetensors");
        TrainCommandTest.Run plainRun = TrainCommandTest.ok(with(train(plain, "--threads", "1"), stage2));
        // a mixed method validates on every domain at the end, with its own runner: under the plan too
        assertTrue(plainRun.out().contains("validation (b): loss"), plainRun.out());
        for (List<String> placement : List.of(
                List.of("--threads", "2", "--strategy", "mpmd", "--graph-config", experts.toString()),
                List.of("--threads", "2", "--strategy", "mpmd"),
                List.of("--threads", "2", "--strategy", "spmd", "--graph-config", experts.toString()),
                List.of("--threads", "1", "--strategy", "mpmd"))) {
            Path out = dir.resolve("c" + placement.hashCode() + ".safetensors");
            TrainCommandTest.Run r = TrainCommandTest.ok(with(train(out), with(placement, stage2)));
            assertEquals(results(plainRun), results(r), placement.toString());
            assertSameWeights(plain, out);
        }
    }

    @Test
    void mpmdOnOneDeviceEqualsSpmd() {
        Path spmd = dir.resolve("spmd.safetensors"), mpmd = dir.resolve("mpmd.safetensors");
        List<String> stage1 = List.of("--method", "mode-expert", "--domain", "b", "--threads", "1");
        TrainCommandTest.Run s = TrainCommandTest.ok(with(train(spmd, "--strategy", "spmd"), stage1));
        TrainCommandTest.Run m = TrainCommandTest.ok(with(train(mpmd, "--strategy", "mpmd"), stage1));
        assertEquals(results(s), results(m));
        assertSameWeights(spmd, mpmd);
    }

    @Test
    void badPlacementsAreOneLineWithExitCodeTwo() throws IOException {
        Path config = dir.resolve("bad.properties");
        Path out = dir.resolve("refused/out.safetensors");
        List<String> expert = List.of("--method", "mode-expert", "--domain", "a");
        record Case(List<String> args, String config, String expected) {
        }
        for (Case c : List.of(
                new Case(with(List.of("--strategy", "simd"), expert), null, "modej train: --strategy: unknown strategy 'simd'; valid: spmd, mpmd"),
                new Case(with(List.of("--graph-config", dir.resolve("missing.properties").toString()), expert), null,
                        "modej train: no such graph config: " + dir.resolve("missing.properties")),
                new Case(with(List.of("--strategy", "mpmd", "--graph-config", config.toString()), expert), "b*.router.device=jvm:0",
                        "modej train: " + config + ": 'b*.router' names no graph; valid graphs: b0.backbone, b0.expert.a, b0.expert.a.backward, b0.gate,"),
                // the graphs are the model's: a full fine-tune has no experts to place
                new Case(List.of("--method", "full", "--strategy", "mpmd", "--graph-config", config.toString()), "b*.expert.*.device=jvm:1",
                        "modej train: " + config + ": 'b*.expert.*' names no graph; valid graphs: backward, forward"),
                new Case(with(List.of("--threads", "2", "--strategy", "mpmd", "--graph-config", config.toString()), expert),
                        "b*.expert.*.device=jvm:2", "modej train: " + config + ": unknown device 'jvm:2'; valid devices: jvm:0, jvm:1"),
                new Case(with(List.of("--graph-config", config.toString()), expert), "b*.expert.*.device=tornado:0",
                        "unknown device 'tornado:0'; valid devices: jvm:0"),
                new Case(with(List.of("--threads", "2", "--graph-config", config.toString()), expert), "head.workers=3",
                        "head.workers must be a number of workers from 1 to 2, got '3'"),
                new Case(with(List.of("--graph-config", config.toString()), expert), "head.colour=red",
                        "'head.colour' sets an unknown property; valid: <graph>.device, <graph>.workers"))) {
            if (c.config() != null) {
                Files.writeString(config, c.config() + "\n");
            }
            List<String> args = with(train(out), c.args());
            if (!args.contains("--threads")) {
                args.addAll(List.of("--threads", "1"));
            }
            TrainCommandTest.Run r = TrainCommandTest.run(args);
            List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
            assertEquals(2, r.code(), c + "\n" + r.err());
            assertEquals(1, lines.size(), c + ": not one line:\n" + r.err());
            assertTrue(lines.get(0).startsWith("modej train: ") && lines.get(0).contains(c.expected()), c + ":\n" + r.err());
            assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
            assertFalse(Files.exists(out), c + " saved a model");
        }
    }

    @Test
    void benchAndTrainShareTheOptionsAndBenchStillPlacesItsModeModel() throws Exception {
        CommandLine main = new CommandLine(new Main());
        for (String option : List.of("--strategy", "--graph-config")) {
            assertEquals(List.of(main.getSubcommands().get("bench").getCommandSpec().findOption(option).description()),
                    List.of(main.getSubcommands().get("train").getCommandSpec().findOption(option).description()), option);
        }
        String backendHelp = String.join(" ", main.getSubcommands().get("train").getCommandSpec().findOption("--backend").description());
        assertTrue(backendHelp.contains("bench and train place graphs"), backendHelp);
        assertTrue(backendHelp.contains("pretrain, eval, generate and experiment run every graph on the first device listed"),
                backendHelp);

        List<String> shape = List.of("bench", "--layers", "2", "--heads", "2", "--width", "16", "--seq", "8", "--batch", "2",
                "--vocab", "64", "--steps", "2", "--warmup", "0", "--threads", "2", "--json");
        Map<?, ?> spmd = json(TrainCommandTest.ok(with(shape, List.of("--strategy", "spmd"))));
        Map<?, ?> mpmd = json(TrainCommandTest.ok(with(shape, List.of("--strategy", "mpmd", "--graph-config", experts.toString()))));
        assertEquals("spmd", spmd.get("strategy"));
        assertEquals("mpmd", mpmd.get("strategy"));
        assertEquals("mode-compose", mpmd.get("method"));
        assertEquals(spmd.get("loss_last"), mpmd.get("loss_last"));
        TrainCommandTest.Run bad = TrainCommandTest.run(with(shape, List.of("--strategy", "mimd")));
        assertEquals(2, bad.code());
        assertEquals("modej bench: --strategy: unknown strategy 'mimd'; valid: spmd, mpmd", bad.err().strip());
    }

    private static Map<?, ?> json(TrainCommandTest.Run r) throws Exception {
        String[] lines = r.out().trim().split("\n");
        return new ObjectMapper().readValue(lines[lines.length - 1], Map.class);
    }

    private static List<String> with(List<String> first, List<String> more) {
        List<String> all = new ArrayList<>(first);
        all.addAll(more);
        return all;
    }
}
