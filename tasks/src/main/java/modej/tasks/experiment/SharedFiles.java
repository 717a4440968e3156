package modej.tasks.experiment;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The files of an experiment's folder that every process sharing it may write (resolved.yaml,
 * environment.json, environment/&lt;host&gt;.json), written under {@code OUT/locks/shared.lock} and
 * atomically, so that processes starting together neither interleave nor overwrite each other.
 */
final class SharedFiles {

    private final Path out;

    SharedFiles(Path out) {
        this.out = out;
    }

    /** Writes {@code text} to {@code OUT/name} unless the file already holds exactly that. */
    void writeIfChanged(String name, String text) throws IOException {
        Path file = out.resolve(name);
        UnitLock.shared(out, () -> {
            if (!Files.exists(file) || !Files.readString(file, StandardCharsets.UTF_8).equals(text)) {
                Path tmp = Files.createTempFile(out, name, ".tmp");
                try {
                    Files.writeString(tmp, text, StandardCharsets.UTF_8);
                    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
            return null;
        });
    }

    /** Writes {@code value} as JSON to {@code file} if there is no such file yet. */
    void writeJsonOnce(Path file, Object value) throws IOException {
        UnitLock.shared(out, () -> {
            if (!Files.exists(file)) {
                ExperimentFile.writeJson(file, value);
            }
            return null;
        });
    }
}
