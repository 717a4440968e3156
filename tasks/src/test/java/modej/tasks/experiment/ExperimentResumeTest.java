package modej.tasks.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tiny experiment end to end: every run and report file is written; after one result file is
 * deleted (as when the experiment is killed during that run), running again trains that run only
 * and keeps every other result as it was; a result made with other settings is refused.
 */
class ExperimentResumeTest {

    static final List<String> RUNS = List.of("full-seed0", "mode-seed0", "full-seed1", "mode-seed1");

    @Test
    void rerunAfterALostResultTrainsOnlyThatRunAndLosesNothing(@TempDir Path dir) throws Exception {
        TinyExperiment x = new TinyExperiment(dir);
        TinyExperiment.Outcome first = x.run();
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("4 runs trained, 0 skipped"), first.out());
        Map<String, FileTime> times = new LinkedHashMap<>();
        Map<String, String> contents = new LinkedHashMap<>();
        for (String run : RUNS) {
            assertTrue(Files.isRegularFile(x.result(run)), run);
            times.put(run, Files.getLastModifiedTime(x.result(run)));
            contents.put(run, Files.readString(x.result(run)));
        }
        reportsAreComplete(x.out);

        Files.delete(x.result("mode-seed1"));
        Thread.sleep(20); // a rewritten file gets a later modification time
        TinyExperiment.Outcome second = x.run();
        assertEquals(0, second.code(), second.err());
        assertTrue(second.out().contains("1 runs trained, 3 skipped"), second.out());
        assertTrue(second.err().contains("[4/4] mode-seed1: training mode"), second.err());
        assertFalse(second.err().contains("backbone: pretraining"), "the finished backbone is reused: " + second.err());
        for (String run : RUNS) {
            if (run.equals("mode-seed1")) {
                assertNotEquals(times.get(run), Files.getLastModifiedTime(x.result(run)), run);
                RunResult before = ExperimentFile.json().readValue(contents.get(run), RunResult.class);
                RunResult again = RunResult.read(x.result(run));
                assertEquals(before.fingerprint(), again.fingerprint());
                assertEquals(before.metrics(), again.metrics(), "training and evaluation are deterministic");
            } else {
                assertEquals(times.get(run), Files.getLastModifiedTime(x.result(run)), run + " was not rewritten");
                assertEquals(contents.get(run), Files.readString(x.result(run)), run);
            }
        }
        reportsAreComplete(x.out);
        Files.copy(x.out.resolve("report.md"), Path.of("target", "tiny-experiment-report.md"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void aResultMadeWithOtherSettingsIsRefused(@TempDir Path dir) throws Exception {
        TinyExperiment x = new TinyExperiment(dir);
        assertEquals(0, x.run("--set", "seeds=[0]", "--set", "methods.1.method=frozen", "--set", "methods.1.blocks=null",
                "--set", "methods.1.expertLayers=null", "--set", "methods.1.init=null").code());
        TinyExperiment.Outcome changed = x.run("--set", "seeds=[0]", "--set", "budget.steps=6");
        assertEquals(2, changed.code());
        assertTrue(changed.err().contains("full-seed0/result.json: made with other settings"), changed.err());
        assertEquals(1, changed.err().lines().filter(l -> l.startsWith("modej experiment:")).count(), changed.err());
    }

    @Test
    void changedDataIsRefusedWhileFinishedRunsExist(@TempDir Path dir) throws Exception {
        TinyExperiment x = new TinyExperiment(dir);
        assertEquals(0, x.run("--set", "seeds=[0]").code());
        String recorded = Files.readString(x.out.resolve("data.json"));
        Files.writeString(x.dir.resolve("code").resolve("code0.txt"), "int changed = 1;\n", java.nio.file.StandardOpenOption.APPEND);

        // Every run is done: nothing is loaded, and the report keeps describing the data the runs used.
        TinyExperiment.Outcome done = x.run("--set", "seeds=[0]");
        assertEquals(0, done.code(), done.err());
        assertEquals(recorded, Files.readString(x.out.resolve("data.json")));

        Files.delete(x.result("mode-seed0"));
        TinyExperiment.Outcome changed = x.run("--set", "seeds=[0]");
        assertEquals(2, changed.code());
        assertTrue(changed.err().contains("modej experiment: domains.code: the data differs from what the finished runs in "),
                changed.err());
        assertEquals(1, changed.err().lines().filter(l -> l.startsWith("modej experiment:")).count(), changed.err());
        assertFalse(Files.exists(x.result("mode-seed0")), "no run was trained on the changed data");
        assertEquals(recorded, Files.readString(x.out.resolve("data.json")), "the record of the finished runs' data is kept");
    }

    @Test
    void aCallThatTrainsNothingRemakesAMissingDataRecordAndKeepsTheMachineFacts(@TempDir Path dir) throws Exception {
        TinyExperiment x = new TinyExperiment(dir);
        assertEquals(0, x.run("--set", "seeds=[0]").code());
        String recorded = Files.readString(x.out.resolve("data.json"));
        String environment = Files.readString(x.out.resolve("environment.json"));
        Files.delete(x.out.resolve("data.json"));
        Thread.sleep(5); // another start time, were the facts collected again
        TinyExperiment.Outcome again = x.run("--set", "seeds=[0]");
        assertEquals(environment, Files.readString(x.out.resolve("environment.json")),
                "a call that trains nothing keeps the facts of the call that trained the runs");
        MachineFacts facts = ExperimentFile.json().readValue(environment, MachineFacts.class);
        assertTrue(Files.readString(x.out.resolve("report.md")).contains("started " + facts.started()));
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("0 runs trained, 2 skipped"), again.out());
        assertEquals(recorded, Files.readString(x.out.resolve("data.json")));
        assertTrue(Files.readString(x.out.resolve("report.md")).contains("## Data"));
    }

    @Test
    void everyRunHasABackendOfItsOwnAndEveryBackendIsClosed(@TempDir Path dir) throws Exception {
        TinyExperiment x = new TinyExperiment(dir);
        ExperimentConfig config = ExperimentFile.read(x.config, List.of("seeds=[0]"));
        List<modej.engine.jvm.JvmBackend> opened = new java.util.ArrayList<>();
        Backends backends = new Backends(() -> {
            modej.engine.jvm.JvmBackend b = new modej.engine.jvm.JvmBackend(2, true, true);
            opened.add(b);
            return b;
        });
        long workersBefore = workerThreads(-1);
        Experiment.Summary summary = new Experiment(config, x.out, backends, 2, new java.io.PrintStream(
                java.io.OutputStream.nullOutputStream())).run();
        assertEquals(List.of("full-seed0", "mode-seed0"), summary.ran());
        assertEquals(4, opened.size(), "pretraining, the frozen backbone's evaluation, and one per run");
        assertEquals(workersBefore, workerThreads(workersBefore), "every backend's workers stopped");
        assertFalse(backends.profile().entries().isEmpty(), "the timings of closed backends are kept for --profile");
    }

    /** Live worker threads, after waiting up to 5 s for their number to become {@code expected} (closed workers end soon). */
    private static long workerThreads(long expected) throws InterruptedException {
        long live = 0;
        for (int i = 0; i < 100; i++) {
            live = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("modej-worker-")).count();
            if (expected < 0 || live == expected) {
                break;
            }
            Thread.sleep(50);
        }
        return live;
    }

    static void reportsAreComplete(Path out) throws Exception {
        for (String f : List.of("resolved.yaml", "environment.json", "data.json", "results.json", "results.csv", "report.md")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertEquals(1 + RUNS.size(), csv.size(), "a header and one row per run");
        for (String run : RUNS) {
            assertEquals(1, csv.stream().filter(l -> l.startsWith(run + ",")).count(), run);
        }
        String report = Files.readString(out.resolve("report.md"));
        for (String png : List.of("loss-curves.png", "accuracy.png", "gates-mode-block0.png", "gates-mode-block1.png")) {
            Path file = out.resolve("plots").resolve(png);
            assertNotNull(ImageIO.read(file.toFile()), png + " is an image");
            assertTrue(report.contains("(plots/" + png + ")"), png + " is linked");
        }
        assertTrue(report.contains("## Table 1"), report);
        assertTrue(report.contains("| mode | mode |"), report);
        assertTrue(report.contains("| entropy/token |"), "the gate table has the per-token entropy: " + report);
        assertTrue(report.contains("## Data"), report);
        assertTrue(report.contains("| buffers MiB | peak heap MiB |"), report);
        // the tiny config's 16-token window holds no math question: the report says so
        assertTrue(report.contains("Math final answers: 2 held-out problems"), report);
        assertTrue(report.contains("0 of 2 problems fit whole"), report);
        assertTrue(report.contains("> **Warning:** no problem fits the 16-token window whole"), report);
        for (String run : RUNS) {
            for (RunResult.Stage stage : RunResult.read(out.resolve("runs").resolve(run).resolve("result.json")).stages()) {
                assertTrue(stage.bufferBytes() > 4L * 3 * 16 * 16, run + " " + stage.name() + ": " + stage.bufferBytes());
            }
        }
        DataFacts data = ExperimentFile.json().readValue(out.resolve("data.json").toFile(), DataFacts.class);
        assertEquals(List.of("english", "numbers", "code", "math"), List.copyOf(data.domains().keySet()));
        assertEquals(Map.of("empty files", 1), data.domains().get("numbers").skipped());
        assertEquals(24, data.domains().get("numbers").documents());
        assertTrue(report.contains("| numbers | `"), report);
        assertTrue(report.contains("| empty files: 1 |"), report);
        DataFacts.Domain math = data.domains().get("math");
        assertEquals(1, math.builtIn().size());
        assertTrue(report.contains("- math: `" + math.builtIn().get(0).coordinates() + "` (generated), SHA-256 of its documents `"
                + math.builtIn().get(0).sha256() + "`"), report);
        assertTrue(report.contains("| " + math.fingerprint() + " |"), report);
        assertTrue(report.contains("Backbone pretraining corpus (from its checkpoint): corpus "), report);
        ExperimentConfig resolved = ExperimentFile.read(out.resolve("resolved.yaml"), List.of());
        assertEquals(16, resolved.budget().seq());
    }
}
