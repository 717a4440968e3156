package modej.tasks.cli;

import modej.engine.jvm.JvmBackend;
import picocli.CommandLine.Option;

/** Options shared by every command that runs graphs. */
public final class BackendOptions {

    @Option(names = "--threads", description = "JVM backend workers (default: all ${sys:modej.cores} cores).")
    Integer threads;

    @Option(names = "--no-vector", description = "Use the portable kernels only (no Vector API fast paths).")
    boolean noVector;

    @Option(names = "--profile", description = "Time every task and print the totals per kernel at the end.")
    boolean profile;

    static {
        System.setProperty("modej.cores", String.valueOf(Runtime.getRuntime().availableProcessors()));
    }

    public int threads() {
        int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (t < 1) {
            throw new UserError("--threads must be >= 1, got " + t);
        }
        return t;
    }

    public JvmBackend backend() {
        return new JvmBackend(threads(), !noVector, profile);
    }
}
