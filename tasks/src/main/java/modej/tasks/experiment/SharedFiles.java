package modej.tasks.experiment;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import modej.tasks.train.OutputLock;

/**
 * The files of an experiment's folder that every process sharing it may write (resolved.yaml,
 * data.json, environment.json, environment/&lt;host&gt;.json, the reports), written under
 * {@code OUT/locks/shared.lock} and atomically, so that processes starting together neither
 * interleave nor overwrite each other.
 */
public final class SharedFiles {

    private final Path out;

    SharedFiles(Path out) {
        this.out = out;
    }

    /** Runs {@code work} holding {@code out}'s shared lock, waiting for it while another process holds it. */
    public static <T> T locked(Path out, OutputLock.Guarded<T> work) throws IOException {
        return OutputLock.holding(out.resolve("locks").resolve("shared.lock"), work);
    }

    /** Writes {@code text} to {@code OUT/name} unless the file already holds exactly that. */
    void writeIfChanged(String name, String text) throws IOException {
        Path file = out.resolve(name);
        locked(out, () -> {
            if (!Files.exists(file) || !Files.readString(file, StandardCharsets.UTF_8).equals(text)) {
                Path tmp = out.resolve("." + name + "." + Long.toHexString(System.nanoTime()) + ".tmp");
                try {
                    Files.writeString(tmp, text, StandardCharsets.UTF_8);
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
            return null;
        });
    }

    /** Writes {@code value} as JSON to {@code file} if there is no such file yet. */
    void writeJsonOnce(Path file, Object value) throws IOException {
        locked(out, () -> {
            if (!Files.exists(file)) {
                ExperimentFile.writeJson(file, value);
            }
            return null;
        });
    }
}
