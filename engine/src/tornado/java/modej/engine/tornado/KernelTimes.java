package modej.engine.tornado;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The device kernel time of each task of one engine graph, summed over its runs, read from
 * TornadoVM's profile log (profiling on). TornadoVM appends every execution's entries to the log
 * and never clears it, so each run counts a task's <em>last</em> entry, found after the task's
 * quoted name ({@code "graph.tN"}).
 */
final class KernelTimes {

    private static final Pattern KERNEL_TIME = Pattern.compile("\\s*:\\s*\\{[^}]*?\"TASK_KERNEL_TIME\"\\s*:\\s*\"(\\d+)\"");

    private final long[] nanos;
    private long runs;

    KernelTimes(int tasks) {
        this.nanos = new long[tasks];
    }

    /** The name task {@code k} of TornadoVM task graph {@code graph} has in the log. */
    static String key(String graph, int k) {
        return "\"" + graph + ".t" + k + "\"";
    }

    /** Adds the kernel times in {@code log} of the tasks {@code tasks[i]} logged as {@code keys[i]}. */
    void add(String log, String[] keys, int[] tasks) {
        Matcher m = KERNEL_TIME.matcher(log);
        for (int i = 0; i < keys.length; i++) {
            int last = log.lastIndexOf(keys[i]);
            if (last >= 0 && m.region(last + keys[i].length(), log.length()).lookingAt()) {
                nanos[tasks[i]] += Long.parseLong(m.group(1));
            }
        }
    }

    /** One more run of the whole graph. */
    void run() {
        runs++;
    }

    long nanos(int task) {
        return nanos[task];
    }

    long runs() {
        return runs;
    }
}
