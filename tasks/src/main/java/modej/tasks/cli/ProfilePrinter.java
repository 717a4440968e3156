package modej.tasks.cli;

import java.io.PrintStream;

import modej.engine.device.Backend;
import modej.engine.device.Profile;

/**
 * Prints a backend's time totals per kernel and variant, largest first. The variant says what ran:
 * on the JVM backend {@code vector} (the kernel's Vector API twin) or {@code portable} (the plain
 * kernel: it has no twin, or vectors are off); {@code tornado} on a TornadoVM device.
 */
final class ProfilePrinter {

    private ProfilePrinter() {
    }

    static void print(PrintStream out, Backend backend) {
        print(out, backend.profile());
    }

    static void print(PrintStream out, Profile p) {
        double total = p.totalNanos();
        out.printf("%-34s %-9s %10s %7s %8s%n", "kernel", "variant", "ms total", "share", "calls");
        for (Profile.Entry e : p.byKernel()) {
            out.printf("%-34s %-9s %10.1f %6.1f%% %8d%n", e.kernel(), e.variant(), e.nanos() / 1e6,
                    100 * e.nanos() / total, e.runs());
        }
    }
}
