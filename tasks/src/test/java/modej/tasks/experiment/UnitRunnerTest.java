package modej.tasks.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import modej.tasks.train.OutputLock;

/**
 * The claiming and waiting of {@link UnitRunner} with units that only record that they ran: a unit
 * another holder has is left to it, an unfinished input is waited for, taken over when nobody holds
 * it, or refused with {@code --no-wait}; and {@link OutputLock} is exclusive, also within one JVM.
 */
class UnitRunnerTest {

    /** Unit 0 is the input of units 1-3, as the backbone is of the runs. */
    static final List<WorkUnit> UNITS = List.of(
            new WorkUnit(0, "backbone", null, 0, List.of(), "b"),
            new WorkUnit(1, "a-seed0", spec("a"), 0, List.of(0), "a"),
            new WorkUnit(2, "b-seed0", spec("b"), 0, List.of(0), "b"),
            new WorkUnit(3, "a-seed1", spec("a"), 1, List.of(0), "a"));

    static MethodSpec spec(String name) {
        return new MethodSpec(name, "full", null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null);
    }

    /** Work that marks a unit finished when run, and remembers the order. */
    static final class Marks implements UnitRunner.Work {
        final Set<Integer> done = ConcurrentHashMap.newKeySet();
        final List<Integer> order = Collections.synchronizedList(new ArrayList<>());

        @Override
        public boolean finished(WorkUnit unit) {
            return done.contains(unit.index());
        }

        @Override
        public void run(WorkUnit unit) {
            order.add(unit.index());
            done.add(unit.index());
        }
    }

    final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    final PrintStream log = new PrintStream(logged, true, StandardCharsets.UTF_8);

    static UnitRunner.Selection only(List<Integer> indices, boolean wait, long timeoutMs) {
        return new UnitRunner.Selection(indices, wait, Duration.ofMillis(timeoutMs), Duration.ofMillis(20));
    }

    @Test
    void anUnfinishedInputThatNobodyHoldsIsDoneFirstAndFinishedUnitsAreSkipped(@TempDir Path out) throws Exception {
        Marks work = new Marks();
        work.done.add(3);
        UnitRunner.Outcome o = new UnitRunner(UNITS, out, work, log).run(only(List.of(2, 3), true, 1000));
        assertEquals(List.of(0, 2), work.order, "the input first, then the selected unit; unit 3 was finished");
        assertEquals(List.of(0, 2), o.ran().stream().map(WorkUnit::index).toList());
        assertEquals(List.of(3), o.doneBefore().stream().map(WorkUnit::index).toList());
        assertTrue(o.leftToOthers().isEmpty());
    }

    @Test
    void withoutWaitingAnUnfinishedInputStopsWithAMessageNamingIt(@TempDir Path out) throws Exception {
        Marks work = new Marks();
        UnitRunner.NotReady e = assertThrows(UnitRunner.NotReady.class,
                () -> new UnitRunner(UNITS, out, work, log).run(only(List.of(1), false, 0)));
        assertEquals("unit 1 (a-seed0) needs unit 0 (backbone), which is not finished (no process has started it); "
                + "run it first, or wait for it (leave out --no-wait)", e.getMessage());
        assertTrue(work.order.isEmpty(), "nothing ran");
    }

    @Test
    void anInputHeldByAnotherIsWaitedForUntilTheTimeout(@TempDir Path out) throws Exception {
        Marks work = new Marks();
        try (OutputLock held = OutputLock.tryAcquire(WorkUnits.lockFile(out, "backbone")).orElseThrow()) {
            long t0 = System.nanoTime();
            UnitRunner.NotReady e = assertThrows(UnitRunner.NotReady.class,
                    () -> new UnitRunner(UNITS, out, work, log).run(only(List.of(1), true, 300)));
            assertTrue((System.nanoTime() - t0) / 1e6 >= 300, "it waited the timeout");
            assertTrue(e.getMessage().startsWith("unit 1 (a-seed0) waited PT0.3S for unit 0 (backbone), which is not finished "
                    + "(last claimed by pid "), e.getMessage());
            assertTrue(logged.toString(StandardCharsets.UTF_8).contains("unit 0 (backbone): waiting for it, for unit 1"));
            assertTrue(work.order.isEmpty(), "the held input was not done twice");
        }
    }

    @Test
    void aWaitingProcessGoesOnWhenTheHolderFinishes(@TempDir Path out) throws Exception {
        Marks work = new Marks();
        OutputLock held = OutputLock.tryAcquire(WorkUnits.lockFile(out, "backbone")).orElseThrow();
        Thread holder = new Thread(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            work.done.add(0); // the holder finishes its unit, then releases it
            held.close();
        });
        holder.start();
        new UnitRunner(UNITS, out, work, log).run(only(List.of(1), true, 10_000));
        holder.join();
        assertEquals(List.of(1), work.order, "unit 0 was the holder's; this process did unit 1 only");
    }

    @Test
    void aUnitAnotherHoldsIsLeftToItOrWaitedForWhenDoingEverything(@TempDir Path out) throws Exception {
        Marks work = new Marks();
        work.done.add(0);
        try (OutputLock held = OutputLock.tryAcquire(WorkUnits.lockFile(out, "b-seed0")).orElseThrow()) {
            UnitRunner.Outcome o = new UnitRunner(UNITS, out, work, log).run(only(List.of(1, 2, 3), true, 1000));
            assertEquals(List.of(1, 3), work.order);
            assertEquals(List.of(2), o.leftToOthers().stream().map(WorkUnit::index).toList());
            assertTrue(logged.toString(StandardCharsets.UTF_8).contains("unit 2 (b-seed0): claimed by another process (pid "));
        }
        Marks all = new Marks();
        all.done.add(0);
        OutputLock held = OutputLock.tryAcquire(WorkUnits.lockFile(out, "a-seed1")).orElseThrow();
        Thread holder = new Thread(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            held.close(); // the holder dies without finishing: the waiting process takes it over
        });
        holder.start();
        UnitRunner.Outcome o = new UnitRunner(UNITS, out, all, log)
                .run(UnitRunner.Selection.all(true, Duration.ofSeconds(10), Duration.ofMillis(20)));
        holder.join();
        assertEquals(List.of(1, 2, 3), all.order, "units 1 and 2 first; unit 3 once its holder let go");
        assertTrue(o.leftToOthers().isEmpty());
        assertTrue(logged.toString(StandardCharsets.UTF_8).contains("unit 3 (a-seed1): started before (pid "));
    }

    @Test
    void aLockIsHeldByOneClaimantAtATimeAndRecordsItsHolder(@TempDir Path out) throws Exception {
        Path file = WorkUnits.lockFile(out, "u");
        assertFalse(OutputLock.held(file));
        try (OutputLock first = OutputLock.tryAcquire(file).orElseThrow()) {
            assertTrue(OutputLock.tryAcquire(file).isEmpty(), "a second claim in this JVM fails");
            assertTrue(OutputLock.held(file));
            assertTrue(OutputLock.holder(file).matches("pid " + ProcessHandle.current().pid() + " on \\S+, since .+"),
                    OutputLock.holder(file));
        }
        assertFalse(OutputLock.held(file), "released");
        try (OutputLock again = OutputLock.tryAcquire(file).orElseThrow()) {
            assertTrue(OutputLock.held(file));
        }
    }

    @Test
    void theSharedLockIsWaitedForAndHeldByOneAtATime(@TempDir Path out) throws Exception {
        Path file = out.resolve("locks").resolve("shared.lock");
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
        Thread first = new Thread(() -> {
            try {
                OutputLock.holding(file, () -> {
                    events.add("first in");
                    inside.countDown();
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    events.add("first out");
                    return null;
                });
            } catch (Exception e) {
                events.add("first failed: " + e);
            }
        });
        first.start();
        inside.await();
        assertTrue(OutputLock.held(file), "held while the first is inside");
        long t0 = System.nanoTime();
        OutputLock.holding(file, () -> events.add("second in"));
        first.join();
        assertEquals(List.of("first in", "first out", "second in"), events, "the second waited for the first to leave");
        assertTrue((System.nanoTime() - t0) / 1e6 >= 100, "it waited");
        assertFalse(OutputLock.held(file), "released");
    }

    @Test
    void unitsHaveStableIndicesInDependencyOrderAndSelectionsAreChecked() {
        ExperimentConfig c = ExperimentFile.read("""
                name: units
                backbone: {pretrain: {steps: 3}}
                domains: {code: code, english: english}
                methods: [{name: full, method: full}, {name: mode, method: mode}]
                seeds: [0, 1]
                """, false, "units.yaml", List.of());
        List<WorkUnit> units = WorkUnits.of(c);
        assertEquals(List.of("backbone", "full-seed0", "mode-seed0", "full-seed1", "mode-seed1"),
                units.stream().map(WorkUnit::label).toList());
        assertEquals(List.of(0), units.get(4).needs());
        assertTrue(units.get(2).what().contains("stage 1 of its 1 expert [code] and stage 2, in this unit"), units.get(2).what());
        assertEquals(List.of(0, 2, 3, 4), WorkUnits.only("4,0,2-3", 5));
        assertEquals(List.of(1, 4), WorkUnits.shard("1/3", 5));
        assertEquals(List.of(), WorkUnits.shard("4/5", 3));
        assertEquals("--only 5: the experiment has 5 units (0-4); see --list",
                assertThrows(IllegalArgumentException.class, () -> WorkUnits.only("5", 5)).getMessage());
        assertEquals("--shard 3/3: need 0 <= I < N",
                assertThrows(IllegalArgumentException.class, () -> WorkUnits.shard("3/3", 5)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> WorkUnits.only("x", 5));
        ExperimentConfig given = ExperimentFile.read("""
                name: units
                backbone: {checkpoint: some.safetensors}
                domains: {code: code}
                methods: [{name: full, method: full}]
                """, false, "units.yaml", List.of());
        assertEquals(List.of(new WorkUnit(0, "full-seed0", given.methods().get(0), 0, List.of(), "train full, seed 0")),
                WorkUnits.of(given), "a given checkpoint needs no unit");
    }
}
