package modej.model.checkpoint;

import java.nio.file.Path;

/**
 * A checkpoint file cannot be read or written, or lacks what the caller asked for. The message is
 * one line: {@code checkpoint <file>: <problem>}.
 */
public final class CheckpointException extends RuntimeException {

    /** A problem with {@code file}; {@code file} may be null for a checkpoint built in memory. */
    public CheckpointException(Path file, String problem) {
        super(message(file, problem));
    }

    /** A problem with {@code file} caused by {@code cause} (usually an I/O error). */
    public CheckpointException(Path file, String problem, Throwable cause) {
        super(message(file, problem), cause);
    }

    private static String message(Path file, String problem) {
        String where = file == null ? "checkpoint" : "checkpoint " + file;
        return (where + ": " + problem).replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}
