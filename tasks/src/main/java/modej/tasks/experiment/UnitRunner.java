package modej.tasks.experiment;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import modej.tasks.train.OutputLock;

/**
 * Does the selected units of an experiment as one of many processes sharing its output folder
 * (the tasks of a Slurm job array or a Kubernetes Indexed Job): each unit is claimed by locking
 * its file in {@code OUT/locks/} ({@link OutputLock}), so one process does it; a unit another process
 * holds is left to it. A unit's inputs (the backbone) must be finished first: the process waits for
 * them, polling, or does one itself when no process holds it (a killed holder: its saved state is
 * continued), or, with {@link Selection#waitForInputs()} false, stops with {@link NotReady}.
 */
public final class UnitRunner {

    /** What one unit needs done, and how to tell that it is. */
    interface Work {
        boolean finished(WorkUnit unit) throws IOException;

        void run(WorkUnit unit) throws IOException;
    }

    /**
     * Which units a process does and how it waits.
     *
     * @param indices       the units to do, ascending; null for every unit, and then, at the end, wait
     *                      for (or take over) the units other processes held, so the results are complete
     * @param waitForInputs wait for unfinished inputs; false: stop with {@link NotReady}
     * @param timeout       the longest wait for one unit
     * @param poll          how often a waiting process looks again
     */
    public record Selection(List<Integer> indices, boolean waitForInputs, Duration timeout, Duration poll) {

        /** Every unit, waiting for others' units up to {@code timeout}. */
        public static Selection all(boolean wait, Duration timeout, Duration poll) {
            return new Selection(null, wait, timeout, poll);
        }

        /** No unit: only collect what is finished (for {@code --report}). */
        public static Selection none() {
            return new Selection(List.of(), false, Duration.ZERO, Duration.ZERO);
        }

        boolean everything() {
            return indices == null;
        }
    }

    /** A unit cannot start: an input is not finished (and waiting was not asked for, or timed out). */
    public static final class NotReady extends RuntimeException {
        NotReady(String message) {
            super(message);
        }
    }

    /**
     * What this process did.
     *
     * @param ran          units it did
     * @param doneBefore   selected units already finished
     * @param leftToOthers selected units another process held and that were not finished when this one stopped
     */
    record Outcome(List<WorkUnit> ran, List<WorkUnit> doneBefore, List<WorkUnit> leftToOthers) {
    }

    /** Tries to claim a unit this many times, a moment apart, before leaving it to its holder ({@code --list} probes locks). */
    private static final int CLAIM_TRIES = 3;

    private final List<WorkUnit> units;
    private final Path out;
    private final Work work;
    private final PrintStream log;
    private final List<WorkUnit> ran = new ArrayList<>(), doneBefore = new ArrayList<>();

    UnitRunner(List<WorkUnit> units, Path out, Work work, PrintStream log) {
        this.units = units;
        this.out = out;
        this.work = work;
        this.log = log;
    }

    /** Does the selected units; returns what it did. */
    Outcome run(Selection s) throws IOException {
        List<WorkUnit> selected = s.everything() ? units : s.indices().stream().map(units::get).toList();
        List<WorkUnit> held = new ArrayList<>();
        for (WorkUnit u : selected) {
            if (work.finished(u)) {
                log.printf("unit %d (%s): finished before, skipped%n", u.index(), u.label());
                doneBefore.add(u);
                continue;
            }
            for (int need : u.needs()) {
                awaitOrDo(units.get(need), u, s);
            }
            if (!claimAndRun(u)) {
                log.printf("unit %d (%s): claimed by another process (%s); left to it%n", u.index(), u.label(),
                        OutputLock.holder(WorkUnits.lockFile(out, u.label())));
                held.add(u);
            }
        }
        List<WorkUnit> left = new ArrayList<>();
        for (WorkUnit u : held) {
            if (s.everything() && s.waitForInputs()) {
                awaitOrDo(u, null, s);
            } else if (!work.finished(u)) {
                left.add(u);
            }
        }
        return new Outcome(List.copyOf(ran), List.copyOf(doneBefore), List.copyOf(left));
    }

    /** Claims {@code u} and does it, unless another process holds it or it got finished meanwhile; false if held. */
    private boolean claimAndRun(WorkUnit u) throws IOException {
        Path file = WorkUnits.lockFile(out, u.label());
        String before = OutputLock.holder(file);
        Optional<OutputLock> claim = Optional.empty();
        for (int i = 0; i < CLAIM_TRIES && claim.isEmpty(); i++) {
            if (i > 0) {
                sleep(Duration.ofMillis(100));
            }
            claim = OutputLock.tryAcquire(file);
        }
        if (claim.isEmpty()) {
            return false;
        }
        try (OutputLock ignored = claim.get()) {
            if (work.finished(u)) { // finished by another process between our look and our claim
                doneBefore.add(u);
                return true;
            }
            if (!before.isEmpty()) {
                log.printf("unit %d (%s): started before (%s) and not finished; continuing it here%n", u.index(), u.label(),
                        before);
            }
            work.run(u);
            ran.add(u);
            return true;
        }
    }

    /**
     * Returns once {@code u} is finished: done here when no process holds it, else waited for,
     * polling; {@code forUnit} is the unit that needs it (null: this process's own selection).
     */
    private void awaitOrDo(WorkUnit u, WorkUnit forUnit, Selection s) throws IOException {
        long deadline = System.nanoTime() + s.timeout().toNanos();
        boolean said = false;
        while (!work.finished(u)) {
            String who = forUnit == null ? "this process" : "unit " + forUnit.index() + " (" + forUnit.label() + ")";
            if (!s.waitForInputs()) {
                throw new NotReady(who + " needs unit " + u.index() + " (" + u.label() + "), which is not finished ("
                        + state(u) + "); run it first, or wait for it (leave out --no-wait)");
            }
            if (claimAndRun(u)) {
                continue;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new NotReady(who + " waited " + s.timeout() + " for unit " + u.index() + " (" + u.label()
                        + "), which is not finished (" + state(u) + "); raise --wait-timeout or look at that unit's job");
            }
            if (!said) {
                log.printf("unit %d (%s): waiting for it, for %s (%s)%n", u.index(), u.label(), who, state(u));
                said = true;
            }
            sleep(s.poll());
        }
    }

    private String state(WorkUnit u) {
        String holder = OutputLock.holder(WorkUnits.lockFile(out, u.label()));
        return holder.isEmpty() ? "no process has started it" : "last claimed by " + holder;
    }

    private static void sleep(Duration d) throws IOException {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for another process's unit");
        }
    }
}
