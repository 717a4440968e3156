package modej.tasks.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import modej.model.checkpoint.GptCheckpoint;
import modej.model.checkpoint.ModeCheckpoint;
import modej.tasks.train.OutputLock;

/**
 * Real processes on one experiment folder, as the tasks of a job array: three shards together
 * report what one sequential run reports, metric by metric; a process killed while pretraining the
 * backbone leaves it to the next process that needs it, which continues it from its last saved step
 * to the same weights as an uninterrupted pretraining; {@code --report} then reports the finished
 * run and names the missing one.
 */
class ExperimentArrayTest {

    /** Keys of results.json whose values are timings, heap sizes, dates or the machine: allowed to differ. */
    static final Set<String> NOT_METRICS = Set.of("machine", "seconds", "trainSeconds", "trainTokensPerSecond",
            "trainPeakHeapMiB", "peakHeapMiB", "evalSeconds", "runSeconds", "finished");

    @Test
    void threeProcessesOnOneFolderReportWhatOneSequentialRunReports(@TempDir Path dir) throws Exception {
        TinyExperiment x = new TinyExperiment(dir);
        TinyExperiment.Outcome sequential = x.run();
        assertEquals(0, sequential.code(), sequential.err());
        Path shared = dir.resolve("array");
        List<Process> tasks = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            tasks.add(start(x, shared, dir.resolve("task" + i + ".log"), "--shard", i + "/3"));
        }
        String logs = "";
        for (int i = 0; i < 3; i++) {
            assertTrue(tasks.get(i).waitFor(5, TimeUnit.MINUTES), "task " + i + " finished");
            String log = Files.readString(dir.resolve("task" + i + ".log"));
            assertEquals(0, tasks.get(i).exitValue(), log);
            logs += log;
        }
        for (String run : ExperimentResumeTest.RUNS) {
            assertEquals(1, count(logs, "] " + run + ": training "), run + " was trained by exactly one process:\n" + logs);
        }
        assertEquals(1, count(logs, "backbone: pretraining"), "one process pretrained the backbone:\n" + logs);
        // each process that finds every unit finished when it ends writes the report (under the shared lock):
        // at least the one that finished the last unit, and another that ended at the same moment may too
        assertTrue(count(logs, "; report: ") >= 1, "the process that finished the last unit wrote the report:\n" + logs);
        assertFalse(Files.readString(shared.resolve("report.md")).contains("Incomplete"));

        JsonNode one = ExperimentFile.json().readTree(x.out.resolve("results.json").toFile());
        JsonNode many = ExperimentFile.json().readTree(shared.resolve("results.json").toFile());
        int compared = compare("", one, many);
        assertTrue(compared > 500, "compared " + compared + " values");
        assertEquals(Files.readString(x.out.resolve("data.json")), Files.readString(shared.resolve("data.json")));
        assertEquals(Files.readString(x.out.resolve("resolved.yaml")), Files.readString(shared.resolve("resolved.yaml")));
        assertTrue(Files.isRegularFile(shared.resolve("environment").resolve(OutputLock.host() + ".json")));
    }

    @Test
    void aProcessKilledWhilePretrainingIsContinuedByTheNextProcessFromItsLastSave(@TempDir Path dir) throws Exception {
        TinyExperiment x = new TinyExperiment(dir);
        String[] longer = {"--set", "backbone.pretrain.steps=120", "--set", "backbone.pretrain.checkpointEvery=5",
                "--set", "seeds=[0]"};
        Path shared = x.out;
        Path backbone = shared.resolve("backbone").resolve("checkpoint.safetensors");
        Process victim = start(x, shared, dir.resolve("victim.log"), concat(longer, "--only", "0"));
        long t0 = System.nanoTime();
        while (step(backbone) < 5) {
            if (!victim.isAlive() || System.nanoTime() - t0 > 120e9) {
                fail("the backbone saved no step before the process ended: " + Files.readString(dir.resolve("victim.log")));
            }
            Thread.sleep(5);
        }
        victim.destroyForcibly().waitFor();
        int killedAt = step(backbone);
        assertTrue(killedAt >= 5 && killedAt < 120, "killed mid-unit, at step " + killedAt);

        Process next = start(x, shared, dir.resolve("next.log"), concat(longer, "--only", "1"));
        assertTrue(next.waitFor(5, TimeUnit.MINUTES));
        String log = Files.readString(dir.resolve("next.log"));
        assertEquals(0, next.exitValue(), log);
        assertTrue(log.contains("unit 0 (backbone): started before (pid "), log);
        assertTrue(log.contains("backbone: resuming pretraining of " + backbone + " at step "), log);
        assertTrue(Files.isRegularFile(shared.resolve("runs").resolve("full-seed0").resolve("result.json")), log);
        assertEquals(120, step(backbone));

        TinyExperiment.Outcome partial = x.run(concat(longer, "--report"));
        assertEquals(0, partial.code(), partial.err());
        assertTrue(partial.out().contains("; not finished: mode-seed0"), partial.out());
        assertTrue(Files.readString(shared.resolve("report.md")).contains("**Incomplete: 1 run not finished yet, left out of "
                + "every table and plot: mode-seed0.**"));

        TinyExperiment reference = new TinyExperiment(dir.resolve("reference"));
        TinyExperiment.Outcome whole = reference.run(concat(longer, "--only", "0"));
        assertEquals(0, whole.code(), whole.err());
        assertEquals(fingerprint(reference.out.resolve("backbone").resolve("checkpoint.safetensors")), fingerprint(backbone),
                "the continued backbone has the weights of an uninterrupted pretraining");
    }

    /** Starts {@code ./modej experiment} on {@code x}'s file with output to {@code out}, as a job-array task would. */
    static Process start(TinyExperiment x, Path out, Path log, String... extra) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--add-modules", "jdk.incubator.vector", "-Xss4m", "-cp", System.getProperty("java.class.path"),
                "modej.tasks.cli.Main", "experiment", x.config.toString(), "--out", out.toString(), "--threads", "1",
                "--poll", "100ms"));
        cmd.addAll(List.of(extra));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Compares every value of two results.json trees but {@link #NOT_METRICS}; returns how many were compared. */
    static int compare(String path, JsonNode a, JsonNode b) {
        assertEquals(a.getNodeType(), b.getNodeType(), path);
        if (a.isObject()) {
            List<String> names = new ArrayList<>(), other = new ArrayList<>();
            a.fieldNames().forEachRemaining(names::add);
            b.fieldNames().forEachRemaining(other::add);
            assertEquals(names, other, path);
            int n = 0;
            for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!NOT_METRICS.contains(e.getKey())) {
                    n += compare(path + "." + e.getKey(), e.getValue(), b.get(e.getKey()));
                }
            }
            return n;
        }
        if (a.isArray()) {
            assertEquals(a.size(), b.size(), path);
            int n = 0;
            for (int i = 0; i < a.size(); i++) {
                n += compare(path + "." + i, a.get(i), b.get(i));
            }
            return n;
        }
        assertEquals(a, b, path);
        return 1;
    }

    private static int step(Path checkpoint) {
        if (!Files.exists(checkpoint)) {
            return 0;
        }
        return Integer.parseInt(GptCheckpoint.metadata(checkpoint).getOrDefault("modej.step", "0"));
    }

    private static String fingerprint(Path checkpoint) {
        return ModeCheckpoint.fingerprint(GptCheckpoint.load(checkpoint, false).params());
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
