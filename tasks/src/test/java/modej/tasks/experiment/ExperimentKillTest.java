package modej.tasks.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import modej.model.checkpoint.Checkpoint;
import modej.model.checkpoint.Safetensors;
import modej.tasks.cli.Main;

/**
 * An experiment killed ({@code destroyForcibly}) in the middle of a run continues that run from its
 * saved state when run again (by the next process that claims the run's unit), and ends with the
 * weights of an experiment that was never stopped.
 */
class ExperimentKillTest {

    @TempDir
    Path dir;

    @Test
    void aKilledRunContinuesFromItsStateToTheSameWeights() throws Exception {
        TinyExperiment tiny = new TinyExperiment(dir);
        List<String> set = List.of("--set", "methods=[{name: full, method: full}]", "--set", "seeds=[0]",
                "--set", "budget.steps=200", "--set", "budget.stage2Steps=2");
        TinyExperiment.Outcome whole = tiny.run(set.toArray(String[]::new));
        assertEquals(0, whole.code(), whole.err());
        Path expected = tiny.out.resolve("runs/full-seed0/model.safetensors");
        Path other = dir.resolve("killed");
        Path state = other.resolve("runs/full-seed0/model.safetensors.resume");

        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-XX:-OptoRegScheduling", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "experiment", tiny.config.toString(), "--out", other.toString(), "--threads", "2"));
        cmd.addAll(set);
        Path log = dir.resolve("child.txt");
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (child.isAlive() && !Files.exists(state) && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertTrue(child.isAlive() && Files.exists(state), () -> "no state to kill the run at: " + read(log));
        child.destroyForcibly().waitFor();
        assertTrue(!Files.exists(other.resolve("runs/full-seed0/result.json")), "the run finished before the kill");

        List<String> args = new ArrayList<>(List.of("experiment", tiny.config.toString(), "--out", other.toString(),
                "--threads", "1"));
        args.addAll(set);
        TinyExperiment.Outcome again = TinyExperiment.capture(args);
        assertEquals(0, again.code(), again.err());
        assertTrue(again.err().contains("train: continuing after step "), again.err());
        // the killed process's claim on the run's unit died with it: this process claimed the unit and continued it
        assertTrue(again.err().contains("unit 1 (full-seed0): started before (pid " + child.pid() + " on "), again.err());

        Checkpoint a = Safetensors.read(expected), b = Safetensors.read(other.resolve("runs/full-seed0/model.safetensors"));
        assertEquals(a.tensors().keySet(), b.tensors().keySet());
        a.tensors().forEach((name, t) -> assertEquals(t, b.tensors().get(name), name));
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
