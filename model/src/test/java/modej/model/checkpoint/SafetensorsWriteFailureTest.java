package modej.model.checkpoint;

import static modej.model.checkpoint.SafetensorsRoundTripTest.list;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A write that fails leaves the previous checkpoint as it was and no temporary file behind. */
class SafetensorsWriteFailureTest {

    @TempDir
    Path dir;
    Path file;
    byte[] before;

    static final List<TensorData> BIG = List.of(new TensorData.F32("w", new float[400_000], 400_000),
            new TensorData.I64("step", new long[] {7}));

    @BeforeEach
    void writeOldCheckpoint() throws IOException {
        file = dir.resolve("model.safetensors");
        Safetensors.write(file, List.of(new TensorData.I32("old", new int[] {1, 2}, 2)), Map.of("v", "old"));
        before = Files.readAllBytes(file);
    }

    /** The old checkpoint is unchanged, and {@code dir} holds nothing but it and {@code others}. */
    void assertOldCheckpointIntact(Path... others) throws IOException {
        assertArrayEquals(before, Files.readAllBytes(file));
        var expected = new ArrayList<>(List.of(others));
        expected.add(file);
        assertEquals(expected.stream().sorted().toList(), list(dir), "temporary files left behind");
        assertArrayEquals(new int[] {1, 2}, Safetensors.read(file).ints("old"));
    }

    @Test
    void interruptDuringDataWriteKeepsOldFile() throws IOException {
        // an interrupted thread's FileChannel closes on its first write: the temp file exists by then
        Thread.currentThread().interrupt();
        CheckpointException e;
        try {
            e = assertThrows(CheckpointException.class, () -> Safetensors.write(file, BIG, Map.of()));
        } finally {
            Thread.interrupted();
        }
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("cannot write"), e.getMessage());
        assertInstanceOf(ClosedByInterruptException.class, e.getCause());
        assertOldCheckpointIntact();
    }

    @Test
    void failedRenameRemovesTheFinishedTemporaryFile() throws IOException {
        // the target is a non-empty directory: all data is written, then the rename fails
        Path blocked = Files.createDirectory(dir.resolve("blocked"));
        Files.writeString(blocked.resolve("keep"), "x");
        CheckpointException e = assertThrows(CheckpointException.class, () -> Safetensors.write(blocked, BIG, Map.of()));
        assertTrue(e.getMessage().contains("cannot write"), e.getMessage());
        assertEquals(List.of(blocked.resolve("keep")), list(blocked));
        assertOldCheckpointIntact(blocked);
    }

    @Test
    void invalidTensorListIsRejectedBeforeTouchingDisk() throws IOException {
        var twice = List.<TensorData>of(new TensorData.I32("a", new int[1]), new TensorData.I32("a", new int[1]));
        var e = assertThrows(IllegalArgumentException.class, () -> Safetensors.write(file, twice, Map.of()));
        assertTrue(e.getMessage().contains("two tensors are named 'a'"), e.getMessage());
        var reserved = List.<TensorData>of(new TensorData.I32("__metadata__", new int[1]));
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write(file, reserved, Map.of()));
        assertOldCheckpointIntact();
    }

    @Test
    void missingDirectoryIsAClearError() throws IOException {
        Path nowhere = dir.resolve("no/such/dir/model.safetensors");
        CheckpointException e = assertThrows(CheckpointException.class, () -> Safetensors.write(nowhere, BIG, Map.of()));
        assertTrue(e.getMessage().startsWith("checkpoint " + nowhere + ": cannot write: "), e.getMessage());
        assertTrue(e.getMessage().contains("NoSuchFileException"), e.getMessage());
        assertOldCheckpointIntact();
    }
}
