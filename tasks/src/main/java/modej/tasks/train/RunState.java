package modej.tasks.train;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import modej.model.method.AdaptedModel;
import modej.model.checkpoint.Checkpoint;
import modej.model.checkpoint.Safetensors;
import modej.model.checkpoint.SlabFiles;
import modej.model.param.Slab;

/**
 * Where a stopped adaptation run keeps what it needs to continue bit for bit: the trainable slabs
 * with their AdamW moments, the step, the training seconds so far, and the run's provenance and
 * settings, in one safetensors file beside the output ({@code <out>.resume}). Written every
 * {@code every} steps (0: only when stopped), when the run is stopped (Ctrl-C, or
 * {@code stopAfter}), and deleted once the finished model is saved.
 */
public final class RunState {

    static final String STEP = "modej.step", SECONDS = "modej.train.seconds_so_far";

    private final Path file;
    private final int every, stopAfter;
    private volatile boolean stopRequested;
    private volatile Runnable onStop = () -> { };

    /**
     * @param file      the state file
     * @param every     save every this many steps; 0 = only when stopped
     * @param stopAfter stop (and save) after this step, as if interrupted; {@code Integer.MAX_VALUE} = never
     */
    public RunState(Path file, int every, int stopAfter) {
        if (every < 0 || stopAfter < 1) {
            throw new IllegalArgumentException("checkpoint interval must be >= 0 and the stop step >= 1");
        }
        this.file = file;
        this.every = every;
        this.stopAfter = stopAfter;
    }

    /** The state file beside {@code out}. */
    public static Path beside(Path out) {
        return out.resolveSibling(out.getFileName() + ".resume");
    }

    public Path file() {
        return file;
    }

    int every() {
        return every;
    }

    int stopAfter() {
        return stopAfter;
    }

    /** Asks the run to save its state and stop after the current step (e.g. from a shutdown hook). */
    public void requestStop() {
        stopRequested = true;
        onStop.run();
    }

    void onStop(Runnable action) {
        onStop = action;
        if (stopRequested) {
            action.run();
        }
    }

    /** Saves the model's trainable slabs with their moments, atomically. */
    static void save(Path file, AdaptedModel model, Map<String, String> provenance, int step, double seconds) {
        Map<String, String> meta = new LinkedHashMap<>(provenance);
        meta.put(STEP, Integer.toString(step));
        meta.put(SECONDS, String.format(Locale.ROOT, "%.3f", seconds));
        SlabFiles.save(file, trainable(model), meta, true);
    }

    /**
     * What a saved state holds, checked against the run about to continue it: every key of
     * {@code expected} (method, settings, data fingerprints, backbone) must be equal.
     *
     * @param step    the last step trained
     * @param seconds training seconds before the stop
     */
    public record Saved(Checkpoint checkpoint, int step, double seconds) {

        /** Reads {@code file} and checks it against {@code expected}; a mismatch names the key. */
        public static Saved read(Path file, Map<String, String> expected) {
            Checkpoint c = Safetensors.read(file);
            Map<String, String> meta = c.metadata();
            for (Map.Entry<String, String> e : expected.entrySet()) {
                if (!e.getValue().equals(meta.get(e.getKey()))) {
                    throw new IllegalArgumentException(e.getKey() + " differs from the stopped run's (" + meta.get(e.getKey())
                            + " vs " + e.getValue() + " now); pass the options of the stopped run, or delete " + file);
                }
            }
            return new Saved(c, Integer.parseInt(meta.getOrDefault(STEP, "0")),
                    Double.parseDouble(meta.getOrDefault(SECONDS, "0")));
        }

        /** Fills the model's trainable slabs and their moments from the state. */
        public void restore(AdaptedModel model) {
            SlabFiles.load(checkpoint, trainable(model), true);
        }
    }

    private static List<Slab> trainable(AdaptedModel model) {
        return model.slabs().stream().filter(Slab::trainable).toList();
    }
}
