package modej.engine.device;

/** A graph compiled for one backend. */
public interface Executable {

    /** Runs every task once, in recording order. */
    void run();

    /** Per-task timings collected so far (empty unless profiling is on). */
    Profile profile();
}
