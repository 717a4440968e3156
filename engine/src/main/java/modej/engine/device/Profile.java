package modej.engine.device;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Accumulated wall time per task, summed over runs. */
public final class Profile {

    /**
     * One task's total.
     *
     * @param variant which code ran the kernel: on the JVM {@code "vector"} (its Vector API twin) or
     *                {@code "portable"}; a device backend's name for what it ran
     */
    public record Entry(String task, String kernel, String variant, long nanos, long runs) {
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>();

    /** A task that ran the recorded kernel itself ({@code "portable"}). */
    public void add(String task, String kernel, long nanos, long runs) {
        add(task, kernel, "portable", nanos, runs);
    }

    public void add(String task, String kernel, String variant, long nanos, long runs) {
        entries.merge(task, new Entry(task, kernel, variant, nanos, runs), Profile::sum);
    }

    public void addAll(Profile other) {
        other.entries.values().forEach(e -> add(e.task(), e.kernel(), e.variant(), e.nanos(), e.runs()));
    }

    public List<Entry> entries() {
        return List.copyOf(entries.values());
    }

    /** Totals per kernel method and variant, largest first. */
    public List<Entry> byKernel() {
        Map<String, Entry> sums = new LinkedHashMap<>();
        for (Entry e : entries.values()) {
            Entry total = new Entry(e.kernel(), e.kernel(), e.variant(), e.nanos(), e.runs());
            sums.merge(e.kernel() + " " + e.variant(), total, Profile::sum);
        }
        List<Entry> out = new ArrayList<>(sums.values());
        out.sort(Comparator.comparingLong(Entry::nanos).reversed());
        return out;
    }

    public long totalNanos() {
        return entries.values().stream().mapToLong(Entry::nanos).sum();
    }

    /** Two totals of one task: times and runs add up; a task that ran two variants says so. */
    private static Entry sum(Entry a, Entry b) {
        String variant = List.of(a.variant().split("\\+")).contains(b.variant()) ? a.variant()
                : a.variant() + "+" + b.variant();
        return new Entry(a.task(), a.kernel(), variant, a.nanos() + b.nanos(), a.runs() + b.runs());
    }
}
