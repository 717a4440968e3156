package modej.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged files: every truncation and every flipped bit is reported, never misread silently. */
class SafetensorsCorruptionTest {

    @TempDir
    Path dir;
    Path good;
    byte[] bytes;
    int dataStart;

    @BeforeEach
    void writeGoodFile() throws IOException {
        good = dir.resolve("good.safetensors");
        Safetensors.write(good, List.of(
                new TensorData.F32("wte", new float[] {0.5f, -1f, 3f, Float.NaN, -0f, 1e-40f}, 2, 3),
                new TensorData.I32("tokens", new int[] {5, 6, 7}, 3),
                new TensorData.I64("step", new long[] {123456789012L})), Map.of("config", "{\"n_layer\":2} ✓"));
        bytes = Files.readAllBytes(good);
        dataStart = 8 + (int) HandMadeFile.headerLength(bytes);
    }

    /** Reads {@code content} from a file and returns the message of the CheckpointException it must raise. */
    String failure(byte[] content) throws IOException {
        Path file = Files.write(dir.resolve("bad.safetensors"), content);
        CheckpointException e = assertThrows(CheckpointException.class, () -> Safetensors.read(file));
        assertTrue(e.getMessage().startsWith("checkpoint " + file + ": "), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        return e.getMessage();
    }

    void assertFailure(String fragment, byte[] content) throws IOException {
        String message = failure(content);
        assertTrue(message.contains(fragment), "'" + message + "' lacks '" + fragment + "'");
    }

    @Test
    void truncationAtNamedPlaces() throws IOException {
        assertFailure("file has 0 bytes, too short for the 8-byte header length", new byte[0]);
        assertFailure("file has 5 bytes, too short", Arrays.copyOf(bytes, 5));
        assertFailure("exceeds the 12 bytes after the length field: file is truncated", Arrays.copyOf(bytes, 20));
        int half = dataStart + (bytes.length - dataStart) / 2;
        assertFailure("data section has " + (half - dataStart) + " bytes but the header describes "
                + (bytes.length - dataStart) + ": file is truncated", Arrays.copyOf(bytes, half));
        assertFailure("file is truncated", Arrays.copyOf(bytes, bytes.length - 1));
        assertFailure("data section has 0 bytes", Arrays.copyOf(bytes, dataStart));
    }

    @Test
    void everyTruncationFails() throws IOException {
        for (int length = 0; length < bytes.length; length++) {
            failure(Arrays.copyOf(bytes, length));
        }
    }

    @Test
    void trailingBytesFail() throws IOException {
        assertFailure("3 trailing bytes", Arrays.copyOf(bytes, bytes.length + 3));
    }

    @Test
    void everyBitFlipInTheDataIsACheckMismatch() throws IOException {
        for (int i = dataStart; i < bytes.length; i++) {
            for (int bit : bitsToFlip(i)) {
                byte[] damaged = bytes.clone();
                damaged[i] ^= (byte) (1 << bit);
                assertTrue(failure(damaged).endsWith(": data checksum mismatch: file is corrupted"));
            }
        }
    }

    /** Two of the 8 bits of byte {@code i}; over 8 bytes in a row, every bit position (all 8 per byte take seconds). */
    static int[] bitsToFlip(int i) {
        return new int[] {i % 8, (i + 5) % 8};
    }

    /** Flips in names and metadata strings still parse: the header sum catches them. */
    @Test
    void everyBitFlipInTheHeaderIsCaught() throws IOException {
        for (int i = 0; i < dataStart; i++) {
            for (int bit : bitsToFlip(i)) {
                byte[] damaged = bytes.clone();
                damaged[i] ^= (byte) (1 << bit);
                failure(damaged);
            }
        }
        byte[] inName = bytes.clone();
        inName[new String(bytes, StandardCharsets.ISO_8859_1).indexOf("tokens")] ^= 1; // "tokens" -> "uokens"
        assertFailure("header checksum mismatch: file is corrupted", inName);
    }

    @Test
    void headerLengthOutOfRange() throws IOException {
        byte[] negative = bytes.clone();
        negative[7] = (byte) 0x80;
        assertFailure("is negative as a signed 64-bit integer", negative);
        byte[] huge = bytes.clone();
        huge[4] = 1; // 2^32 + n
        assertFailure("exceeds the limit of 100000000 bytes", huge);
    }

    @Test
    void malformedHeaders() throws IOException {
        assertFailure("header is not valid JSON", HandMadeFile.of("{\"a\": "));
        assertFailure("header is not valid JSON", HandMadeFile.of("{} x"));
        assertFailure("header is not valid JSON at character", HandMadeFile.of("{\"a\":1,\"a\":2}"));
        assertFailure("header does not start with '{'", HandMadeFile.of("[1, 2]"));
        assertFailure("header does not start with '{'", HandMadeFile.of(""));
        assertFailure("header is not valid UTF-8", HandMadeFile.of(new byte[] {'{', (byte) 0xff, '}'}));
        assertFailure("__metadata__ is not a JSON object", HandMadeFile.of("{\"__metadata__\": []}"));
        assertFailure("__metadata__ value of 'n' is not a string", HandMadeFile.of("{\"__metadata__\": {\"n\": 1}}"));
        assertFailure("tensor 'a': entry is not a JSON object", HandMadeFile.of("{\"a\": 3}"));
        assertFailure("a tensor has an empty name", HandMadeFile.of("{\"\": {}}"));
    }

    static byte[] oneTensor(String dtype, String shape, String offsets, int dataBytes) {
        return HandMadeFile.of("{\"w\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":"
                + offsets + "}}", new int[dataBytes]);
    }

    @Test
    void badEntries() throws IOException {
        assertFailure("tensor 'w' has dtype F64, which MoDE-J does not read (supported: F32, F16, BF16, I32, I64)",
                oneTensor("F64", "[2]", "[0,16]", 16));
        assertFailure("tensor 'w' has unknown dtype 'Q7'", oneTensor("Q7", "[2]", "[0,4]", 4));
        assertFailure("tensor 'w' (F32, shape [3]) needs 12 bytes but data_offsets [0, 8] span 8",
                oneTensor("F32", "[3]", "[0,8]", 8));
        assertFailure("tensor 'w': data_offsets [8, 0] are out of order", oneTensor("F32", "[2]", "[8,0]", 8));
        assertFailure("\"shape\" holds -2, not a non-negative integer", oneTensor("F32", "[-2]", "[0,8]", 8));
        assertFailure("\"shape\" holds 2.0, not a non-negative integer", oneTensor("F32", "[2.0]", "[0,8]", 8));
        assertFailure("\"data_offsets\" is missing or not an array of 2 integers", oneTensor("F32", "[2]", "[0,4,8]", 8));
        assertFailure("holds more elements than a Java array", oneTensor("F32", "[65536,65536]", "[0,8]", 8));
        assertFailure("holds more elements than a Java array", oneTensor("F32", "[4294967296,4294967296,4]", "[0,8]", 8));
        assertFailure("\"dtype\" is missing or not a string", HandMadeFile.of("{\"w\":{\"shape\":[],\"data_offsets\":[0,4]}}"));
        assertFailure("data section has 4 bytes but the header describes 8: file is truncated",
                oneTensor("F32", "[2]", "[0,8]", 4));
        assertFailure("gap of 4 bytes before tensor 'w' at data_offsets [4, 12]", oneTensor("F32", "[2]", "[4,12]", 12));
    }

    @Test
    void overlappingTensors() throws IOException {
        byte[] overlap = HandMadeFile.of("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new int[12]);
        assertFailure("tensor 'b' data_offsets [4, 12] overlap tensor 'a' which ends at 8", overlap);
    }

    /** A header with both sums; the header sum correct, the data sum {@code dataSum}. */
    static byte[] summed(String dataSum, int... data) throws Exception {
        String draft = "{\"__metadata__\":{\"modej.header_sha256\":\"" + "0".repeat(64) + "\",\"modej.sha256\":\""
                + dataSum + "\"},\"w\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        String header = draft.replace("0".repeat(64), SafetensorsRoundTripTest.sha256(draft.getBytes(StandardCharsets.UTF_8)));
        return HandMadeFile.of(header, data);
    }

    @Test
    void checksumsWrittenByHandAreChecked() throws Exception {
        byte[] one = {1, 0, 0, 0};
        Path file = Files.write(dir.resolve("ok.safetensors"), summed(SafetensorsRoundTripTest.sha256(one), 1, 0, 0, 0));
        assertArrayEquals(new int[] {1}, Safetensors.read(file).ints("w"));
        assertFailure("data checksum mismatch: file is corrupted", summed("1".repeat(64), 1, 0, 0, 0));
        assertFailure("data checksum mismatch: file is corrupted", summed(SafetensorsRoundTripTest.sha256(one), 2, 0, 0, 0));
    }

    @Test
    void oneSumWithoutTheOtherFails() throws IOException {
        String entry = ",\"w\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        assertFailure("__metadata__ has modej.sha256 but not modej.header_sha256: file is corrupted",
                HandMadeFile.of("{\"__metadata__\":{\"modej.sha256\":\"" + "0".repeat(64) + "\"}" + entry, 1, 0, 0, 0));
        assertFailure("__metadata__ has modej.header_sha256 but not modej.sha256: file is corrupted",
                HandMadeFile.of("{\"__metadata__\":{\"modej.header_sha256\":\"" + "0".repeat(64) + "\"}" + entry, 1, 0, 0, 0));
        assertFailure("header checksum mismatch: file is corrupted", HandMadeFile.of("{\"__metadata__\":{"
                + "\"modej.header_sha256\":\"0\",\"modej.sha256\":\"" + "0".repeat(64) + "\"}" + entry, 1, 0, 0, 0));
    }

    @Test
    void missingFileIsAClearError() {
        Path missing = dir.resolve("missing.safetensors");
        CheckpointException e = assertThrows(CheckpointException.class, () -> Safetensors.read(missing));
        assertTrue(e.getMessage().startsWith("checkpoint " + missing + ": cannot read: "), e.getMessage());
    }
}
