package modej.tasks.cli;

import java.io.IOException;

/**
 * Runs a training loop with a shutdown hook, so that Ctrl-C (or a polite kill) asks the loop to
 * save at the end of its current step and waits for it (up to a minute) before the JVM exits.
 */
final class StopOnInterrupt {

    /** The work to run; returns its result. */
    interface Work<T> {
        T run() throws IOException;
    }

    private static volatile boolean stopping;

    private StopOnInterrupt() {
    }

    /**
     * Whether the JVM is shutting down because of a signal while a loop ran: then {@link Main}
     * must let its thread end rather than call {@code System.exit}, which would block until this
     * hook gave up waiting for that thread.
     */
    static boolean stopping() {
        return stopping;
    }

    static <T> T run(Runnable requestStop, Work<T> work) throws IOException {
        Thread main = Thread.currentThread();
        Thread hook = new Thread(() -> {
            stopping = true;
            requestStop.run();
            try {
                main.join(60_000); // let the loop save at the end of its step
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return work.run();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting; the hook is already running
            }
        }
    }
}
