package modej.tasks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import modej.model.checkpoint.Checkpoint;
import modej.model.checkpoint.Safetensors;
import modej.model.checkpoint.TensorData;

/**
 * A run that diverges (learning rate 1e4, as in the report that found it) stops at the step that
 * went non-finite with one line, keeps its last finite checkpoint, and resumes from it.
 */
class DivergenceTest {

    @TempDir
    Path dir;

    private List<String> pretrain(Path corpus, Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("pretrain", "--corpus", corpus.toString(), "--layers", "2", "--width", "32",
                "--heads", "2", "--context", "32", "--batch", "4", "--steps", "60", "--checkpoint-every", "2",
                "--lr", "1e4", "--warmup-steps", "50", "--eval-every", "0", "--eval-batches", "1", "--sample-tokens", "0",
                "--threads", "2", "--validation", "0.3", "--out", out.toString()));
        a.addAll(List.of(more));
        return a;
    }

    @Test
    void divergenceStopsWithOneLineKeepsAFiniteCheckpointAndResumes() throws Exception {
        Path corpus = TrainCommandTest.text(dir.resolve("c.txt"), "abcdefgh ijk\n", 5);
        Path out = dir.resolve("run");
        TrainCommandTest.Run r = TrainCommandTest.run(pretrain(corpus, out));
        assertEquals(1, r.code(), r.err());
        String line = oneLine(r.err());
        assertTrue(line.matches("modej pretrain: training diverged at step \\d+ \\(.*\\); stopped without saving it, "
                + "the checkpoint of step \\d+ is kept; try a lower --lr \\(now 10000.0\\) or --grad-clip 1.0"), line);
        int stopped = Integer.parseInt(line.replaceAll(".*at step (\\d+) .*", "$1"));
        int kept = Integer.parseInt(line.replaceAll(".*checkpoint of step (\\d+) .*", "$1"));
        assertTrue(kept < stopped && kept >= stopped - 2, line);

        Checkpoint c = Safetensors.read(out.resolve("checkpoint.safetensors"));
        assertEquals(Integer.toString(kept), c.metadata().get("modej.step"));
        for (TensorData t : c.tensors().values()) {
            for (float x : (float[]) t.array()) {
                assertTrue(Float.isFinite(x), t.name() + " holds " + x);
            }
        }
        // --resume loads the kept checkpoint and continues: deterministically to the same step and message
        TrainCommandTest.Run again = TrainCommandTest.run(pretrain(corpus, out, "--resume"));
        assertEquals(1, again.code(), again.err());
        assertTrue(again.err().contains("resuming " + out.resolve("checkpoint.safetensors") + " at step " + kept), again.err());
        assertEquals(line, oneLine(again.err().lines().filter(l -> l.startsWith("modej ")).findFirst().orElse("")));
        assertFalse(again.err().contains("\tat "), again.err());
    }

    /** The one line starting with "modej " in {@code err}, which must hold no stack trace. */
    static String oneLine(String err) {
        List<String> lines = err.lines().filter(l -> l.startsWith("modej ")).toList();
        assertEquals(1, lines.size(), err);
        assertFalse(err.contains("\tat ") || err.contains("Exception"), err);
        return lines.get(0);
    }
}
