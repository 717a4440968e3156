package modej.tasks.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./modej experiment --list, --only, --shard, --no-wait, --report} without training anything. */
class ExperimentUnitsCliTest {

    @Test
    void listShowsTheUnitsInDependencyOrderWithTheirState(@TempDir Path dir) throws Exception {
        TinyExperiment x = new TinyExperiment(dir);
        TinyExperiment.Outcome listed = x.run("--list");
        assertEquals(0, listed.code(), listed.err());
        List<String> rows = listed.out().lines().filter(l -> !l.startsWith("#")).toList();
        assertEquals(List.of(
                "0\tbackbone\t-\tready\tpretrain the backbone: 2 layers, width 16, 3 steps on " + dir.resolve("english"),
                "1\tfull-seed0\t0\twaiting\ttrain full, seed 0",
                "2\tmode-seed0\t0\twaiting\ttrain MoDE: stage 1 of its 3 experts [numbers, code, math] and stage 2, in this unit, seed 0",
                "3\tfull-seed1\t0\twaiting\ttrain full, seed 1",
                "4\tmode-seed1\t0\twaiting\ttrain MoDE: stage 1 of its 3 experts [numbers, code, math] and stage 2, in this unit, seed 1"),
                rows);
        assertFalse(Files.exists(x.out), "--list writes nothing");
    }

    @Test
    void aUnitWhoseBackboneIsNotFinishedStopsWithExitCode3WhenNotWaiting(@TempDir Path dir) throws Exception {
        TinyExperiment x = new TinyExperiment(dir);
        TinyExperiment.Outcome o = x.run("--only", "3", "--no-wait");
        assertEquals(3, o.code(), o.err());
        assertTrue(o.err().contains("modej experiment: unit 3 (full-seed1) needs unit 0 (backbone), which is not finished "
                + "(no process has started it); run it first, or wait for it (leave out --no-wait)"), o.err());
        assertFalse(Files.exists(x.out.resolve("backbone")), "nothing was pretrained");
    }

    @Test
    void badSelectionsAreOneLineErrors(@TempDir Path dir) throws Exception {
        TinyExperiment x = new TinyExperiment(dir);
        TinyExperiment.Outcome range = x.run("--only", "5");
        assertEquals(2, range.code());
        assertEquals("modej experiment: --only 5: the experiment has 5 units (0-4); see --list", range.err().strip());
        assertEquals("modej experiment: --shard: expected I/N, e.g. 0/4 for the first of four shards, got '1'",
                x.run("--shard", "1").err().strip());
        assertEquals("modej experiment: give one of --only, --shard and --report",
                x.run("--shard", "0/2", "--only", "1").err().strip());
        assertEquals("modej experiment: --wait-timeout: expected a duration like 500ms, 90s, 30m or 24h, got '1d'",
                x.run("--wait-timeout", "1d").err().strip());
    }

    @Test
    void reportWithNothingFinishedSaysSoAndTrainsNothing(@TempDir Path dir) throws Exception {
        TinyExperiment x = new TinyExperiment(dir);
        TinyExperiment.Outcome o = x.run("--report");
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("0 runs trained, 0 skipped"), o.out());
        assertTrue(o.out().contains("no run is finished yet, so there is no report"), o.out());
        assertFalse(Files.exists(x.out.resolve("backbone")));
        assertFalse(Files.exists(x.out.resolve("report.md")));
    }
}
