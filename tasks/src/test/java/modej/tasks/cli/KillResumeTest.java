package modej.tasks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import modej.model.checkpoint.CheckpointException;
import modej.model.checkpoint.GptCheckpoint;
import modej.model.checkpoint.Safetensors;
import modej.model.checkpoint.TensorData;
import modej.tasks.train.OutputLock;

/**
 * Real crashes: a pretraining child process is killed ({@code destroyForcibly}, SIGKILL) at random
 * steps, resumed after each kill, and must end with weights and AdamW moments equal bit for bit to
 * those of a run that was never interrupted; a second run on an output in use is refused at once.
 */
class KillResumeTest {

    @TempDir
    Path dir;

    static final int STEPS = 30;

    private List<String> pretrain(Path corpus, Path out, String... more) {
        return pretrain(corpus, out, STEPS, more);
    }

    private List<String> pretrain(Path corpus, Path out, int steps, String... more) {
        List<String> a = new ArrayList<>(List.of("pretrain", "--corpus", corpus.toString(), "--layers", "1", "--width", "32",
                "--heads", "2", "--context", "32", "--batch", "2", "--steps", Integer.toString(steps), "--eval-every", "0", "--eval-batches", "1",
                "--checkpoint-every", "1", "--sample-tokens", "0", "--threads", "1", "--validation", "0.3", "--out", out.toString()));
        a.addAll(List.of(more));
        return a;
    }

    /** The step of the checkpoint in {@code out}, or 0 when there is none yet. */
    private static int savedStep(Path out) {
        Path c = out.resolve("checkpoint.safetensors");
        if (!Files.exists(c)) {
            return 0;
        }
        try {
            return Integer.parseInt(GptCheckpoint.metadata(c).getOrDefault("modej.step", "0"));
        } catch (CheckpointException e) {
            return 0; // cannot happen with atomic writes; the next poll reads it again
        }
    }

    @Test
    void killedAtRandomStepsAndResumedEndsBitIdentical() throws Exception {
        Path corpus = TrainCommandTest.text(dir.resolve("c.txt"), "abcdefgh ijk\n", 5);
        Path whole = dir.resolve("whole"), parts = dir.resolve("parts");
        Path log = dir.resolve("log.txt");
        TrainCommandTest.Run reference = TrainCommandTest.run(pretrain(corpus, whole)); // same code, in this JVM
        assertEquals(0, reference.code(), reference.err());

        SplittableRandom random = new SplittableRandom(11);
        int kills = 0, target = 0;
        while (kills < 5) {
            target = Math.min(STEPS - 3, target + 1 + random.nextInt(4));
            boolean resume = savedStep(parts) > 0;
            Process p = ChildCli.start(dir, log, resume ? pretrain(corpus, parts, "--resume") : pretrain(corpus, parts));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (p.isAlive() && savedStep(parts) < target && System.nanoTime() < deadline) {
                Thread.sleep(random.nextInt(1, 15));
            }
            assertTrue(p.isAlive(), () -> "the run ended before the kill at step " + savedStep(parts) + "\n" + read(log));
            p.destroyForcibly().waitFor();
            kills++;
        }
        int before = savedStep(parts);
        assertTrue(before < STEPS, "killed after the last step");
        TrainCommandTest.Run last = TrainCommandTest.run(pretrain(corpus, parts, "--resume")); // to the end, in this JVM
        assertEquals(0, last.code(), last.err());

        var expected = Safetensors.read(whole.resolve("checkpoint.safetensors"));
        var actual = Safetensors.read(parts.resolve("checkpoint.safetensors"));
        assertEquals(Integer.toString(STEPS), actual.metadata().get("modej.step"));
        assertEquals(expected.tensors().keySet(), actual.tensors().keySet());
        for (Map.Entry<String, TensorData> e : expected.tensors().entrySet()) {
            assertEquals(e.getValue(), actual.tensors().get(e.getKey()), e.getKey() + " differs after " + kills + " kills");
        }
    }

    @Test
    void aSecondRunOnAnOutputInUseIsRefusedAtOnceNamingTheHolder() throws Exception {
        Path corpus = TrainCommandTest.text(dir.resolve("c.txt"), "abcdefgh ijk\n", 5);
        Path out = dir.resolve("run"), lock = out.resolve("pretrain.lock");
        Path log1 = dir.resolve("first.txt");
        Process first = ChildCli.start(dir, log1, pretrain(corpus, out, 100_000));
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (first.isAlive() && savedStep(out) < 1 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(first.isAlive(), () -> read(log1));
            // the second process is this test's JVM
            long t0 = System.nanoTime();
            TrainCommandTest.Run second = TrainCommandTest.run(pretrain(corpus, out, "--force"));
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertEquals(2, second.code(), second.err());
            String err = second.err();
            assertEquals(1, err.lines().count(), err);
            assertTrue(err.contains("is in use by another run (pid " + first.pid() + " on "), err);
            assertTrue(err.contains(lock.toString()), err);
            assertTrue(seconds < 5, "took " + seconds + " s");
            assertTrue(first.isAlive(), "the first run was disturbed");
        } finally {
            first.destroyForcibly().waitFor();
        }
        // the operating system released the killed run's lock: the output can be taken at once
        OutputLock.acquire(lock, "the killed run's output").close();
        assertFalse(read(log1).contains("Exception"), read(log1));
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
