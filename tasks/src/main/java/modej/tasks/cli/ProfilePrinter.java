package modej.tasks.cli;

import java.io.PrintStream;

import modej.engine.device.Backend;
import modej.engine.device.Profile;

/** Prints a backend's per-kernel time totals, largest first. */
final class ProfilePrinter {

    private ProfilePrinter() {
    }

    static void print(PrintStream out, Backend backend) {
        print(out, backend.profile());
    }

    static void print(PrintStream out, Profile p) {
        double total = p.totalNanos();
        out.printf("%-34s %10s %7s %8s%n", "kernel", "ms total", "share", "calls");
        for (Profile.Entry e : p.byKernel()) {
            out.printf("%-34s %10.1f %6.1f%% %8d%n", e.kernel(), e.nanos() / 1e6, 100 * e.nanos() / total, e.runs());
        }
    }
}
