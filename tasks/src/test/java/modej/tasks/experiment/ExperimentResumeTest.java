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

    static void reportsAreComplete(Path out) throws Exception {
        for (String f : List.of("resolved.yaml", "environment.json", "results.json", "results.csv", "report.md")) {
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
        ExperimentConfig resolved = ExperimentFile.read(out.resolve("resolved.yaml"), List.of());
        assertEquals(16, resolved.budget().seq());
    }
}
