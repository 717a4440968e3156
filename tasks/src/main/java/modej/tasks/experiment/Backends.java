package modej.tasks.experiment;

import java.io.IOException;
import java.util.function.Supplier;

import modej.engine.device.Backend;
import modej.engine.device.Profile;

/**
 * A fresh backend for each piece of an experiment's work (pretraining, the frozen backbone's
 * evaluation, each run), closed when that piece is done; the timings of all of them are kept for
 * {@code --profile}. One backend for all runs would hold every run's graphs: a TornadoVM backend
 * keeps every graph compiled on it in one execution plan, with their device buffers, and compiles
 * all of them again when a graph is added.
 */
public final class Backends {

    /** Work done on one backend. */
    public interface Work<T> {
        T run(Backend backend) throws IOException;
    }

    private final Supplier<Backend> factory;
    private final Profile profile = new Profile();

    /** @param factory opens a new backend on every call */
    public Backends(Supplier<Backend> factory) {
        this.factory = factory;
    }

    /** Runs {@code work} on a new backend and closes it, keeping its timings. */
    public <T> T with(Work<T> work) throws IOException {
        try (Backend backend = factory.get()) {
            T result = work.run(backend);
            profile.addAll(backend.profile());
            return result;
        }
    }

    /** Timings of every backend closed so far (empty unless the backends profile). */
    public Profile profile() {
        return profile;
    }
}
