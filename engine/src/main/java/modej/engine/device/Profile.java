package modej.engine.device;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Accumulated wall time per task, summed over runs. */
public final class Profile {

    /** One task's total. */
    public record Entry(String task, String kernel, long nanos, long runs) {
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>();

    public void add(String task, String kernel, long nanos, long runs) {
        entries.merge(task, new Entry(task, kernel, nanos, runs),
                (a, b) -> new Entry(a.task(), a.kernel(), a.nanos() + b.nanos(), a.runs() + b.runs()));
    }

    public void addAll(Profile other) {
        other.entries.values().forEach(e -> add(e.task(), e.kernel(), e.nanos(), e.runs()));
    }

    public List<Entry> entries() {
        return List.copyOf(entries.values());
    }

    /** Totals per kernel method, largest first. */
    public List<Entry> byKernel() {
        Map<String, Entry> sums = new LinkedHashMap<>();
        for (Entry e : entries.values()) {
            sums.merge(e.kernel(), new Entry(e.kernel(), e.kernel(), e.nanos(), e.runs()),
                    (a, b) -> new Entry(a.task(), a.kernel(), a.nanos() + b.nanos(), a.runs() + b.runs()));
        }
        List<Entry> out = new ArrayList<>(sums.values());
        out.sort(Comparator.comparingLong(Entry::nanos).reversed());
        return out;
    }

    public long totalNanos() {
        return entries.values().stream().mapToLong(Entry::nanos).sum();
    }
}
