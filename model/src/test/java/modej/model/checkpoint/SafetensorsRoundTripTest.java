package modej.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsRoundTripTest {

    @TempDir
    Path dir;

    /** NaN payloads (quiet and signalling), -0.0, denormals, infinities, extremes. */
    static final int[] SPECIAL_FLOAT_BITS = {0x7fc00000, 0x7fc00001, 0x7f800001, 0xffc12345, 0x7fbfffff,
            0x80000000, 0x00000000, 0x00000001, 0x007fffff, 0x80000001, 0x807fffff, 0x7f800000, 0xff800000,
            0x7f7fffff, 0x00800000, 0x3f800000};

    static float[] specialFloats() {
        float[] f = new float[SPECIAL_FLOAT_BITS.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = Float.intBitsToFloat(SPECIAL_FLOAT_BITS[i]);
        }
        return f;
    }

    @Test
    void roundTripIsBitExact() {
        float[] special = specialFloats(); // (4, 4)
        int[] ints = {0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 42};
        long[] longs = {Long.MIN_VALUE, Long.MAX_VALUE, 0, -1, 0x0102030405060708L};
        List<TensorData> tensors = List.of(
                new TensorData.F32("h.0.attn.w", special, 4, 4),
                new TensorData.I32("tokens \"quoted\" ✓", ints, 2, 3),
                new TensorData.I64("rng", longs, 5),
                new TensorData.F32("scalar", new float[] {-0.0f}),
                new TensorData.F32("empty", new float[0], 3, 0));
        Map<String, String> metadata = Map.of("config", "{\"n_layer\": 12}", "note", "ünïcødé ✓ 日本語 😀", "", "empty key");
        Path file = dir.resolve("model.safetensors");
        Safetensors.write(file, tensors, metadata);

        Checkpoint c = Safetensors.read(file);
        assertEquals(List.of("h.0.attn.w", "tokens \"quoted\" ✓", "rng", "scalar", "empty"), List.copyOf(c.tensors().keySet()));
        float[] back = c.floats("h.0.attn.w");
        for (int i = 0; i < special.length; i++) {
            assertEquals(SPECIAL_FLOAT_BITS[i], Float.floatToRawIntBits(back[i]), "float " + i);
        }
        assertArrayEquals(ints, c.ints("tokens \"quoted\" ✓"));
        assertArrayEquals(longs, c.longs("rng"));
        assertEquals(0x80000000, Float.floatToRawIntBits(c.floats("scalar")[0]));
        assertArrayEquals(new long[] {}, c.tensor("scalar").shape());
        assertArrayEquals(new long[] {3, 0}, c.tensor("empty").shape());
        assertEquals(tensors, List.copyOf(c.tensors().values()));
        for (var e : metadata.entrySet()) {
            assertEquals(e.getValue(), c.metadata().get(e.getKey()));
        }
        assertEquals(64, c.metadata().get("modej.sha256").length());
        assertEquals(64, c.metadata().get("modej.header_sha256").length());
    }

    @Test
    void bigTensorsSpanSeveralChunks() {
        SplittableRandom random = new SplittableRandom(7);
        float[] f = new float[300_001]; // 1.2 MB: two chunks of 1 MiB, the last one partial
        for (int i = 0; i < f.length; i++) {
            f[i] = Float.intBitsToFloat(random.nextInt());
        }
        long[] l = random.longs(140_003).toArray();
        Path file = dir.resolve("big.safetensors");
        Safetensors.write(file, List.of(new TensorData.F32("f", f, 300_001), new TensorData.I64("l", l, 140_003)), Map.of());
        Checkpoint c = Safetensors.read(file);
        assertEquals(new TensorData.F32("f", f, 300_001), c.tensor("f"));
        assertArrayEquals(l, c.longs("l"));
    }

    @Test
    void writerFollowsTheSpecByteForByte() throws Exception {
        Path file = dir.resolve("a.safetensors");
        Safetensors.write(file, List.of(new TensorData.F32("a", new float[] {1.0f, -2.5f}, 2),
                new TensorData.I32("b", new int[] {0x01020304})), Map.of("k", "v"));
        byte[] bytes = Files.readAllBytes(file);
        int[] data = {0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x20, 0xc0, 0x04, 0x03, 0x02, 0x01};
        byte[] dataBytes = new byte[data.length];
        for (int i = 0; i < data.length; i++) {
            dataBytes[i] = (byte) data[i];
        }
        String dataSum = sha256(dataBytes);
        String draft = "{\"__metadata__\":{\"k\":\"v\",\"modej.header_sha256\":\"" + "0".repeat(64)
                + "\",\"modej.sha256\":\"" + dataSum + "\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[8,12]}}";
        draft += " ".repeat((8 - draft.length() % 8) % 8); // pad to a multiple of 8 bytes
        String padded = draft.replace("0".repeat(64), sha256(draft.getBytes(StandardCharsets.UTF_8)));
        assertArrayEquals(HandMadeFile.of(padded, data), bytes);
    }

    @Test
    void headerIsPaddedToMultipleOfEight() throws IOException {
        for (int nameLength = 1; nameLength <= 9; nameLength++) {
            Path file = dir.resolve("pad" + nameLength + ".safetensors");
            Safetensors.write(file, List.of(new TensorData.I32("x".repeat(nameLength), new int[] {nameLength})), Map.of());
            byte[] bytes = Files.readAllBytes(file);
            long n = HandMadeFile.headerLength(bytes);
            assertEquals(0, n % 8, "header length " + n);
            String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
            assertTrue(header.stripTrailing().endsWith("}"), header);
            assertTrue(header.substring(header.stripTrailing().length()).chars().allMatch(ch -> ch == ' '));
            assertEquals(nameLength, Safetensors.read(file).ints("x".repeat(nameLength))[0]);
        }
    }

    @Test
    void readsAHandMadeFileFromAnotherTool() throws IOException {
        // no __metadata__ (so no checksum), keys not in offset order, scalar I64, I32 matrix
        String header = "{\"b\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[8,16]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"c\":{\"dtype\":\"I32\",\"shape\":[1,2],\"data_offsets\":[16,24]}}   ";
        byte[] bytes = HandMadeFile.of(header,
                0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x20, 0xc0,  // a: 1.0f, -2.5f
                0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x81,  // b: 0x8102030405060708
                0xff, 0xff, 0xff, 0xff, 0x2a, 0x00, 0x00, 0x00); // c: -1, 42
        Path file = Files.write(dir.resolve("other.safetensors"), bytes);
        Checkpoint c = Safetensors.read(file);
        assertEquals(List.of("b", "a", "c"), List.copyOf(c.tensors().keySet()));
        assertArrayEquals(new float[] {1.0f, -2.5f}, c.floats("a"));
        assertArrayEquals(new long[] {0x8102030405060708L}, c.longs("b"));
        assertArrayEquals(new long[] {}, c.tensor("b").shape());
        assertArrayEquals(new int[] {-1, 42}, c.ints("c"));
        c.expectShape("c", 1, 2);
        assertTrue(c.metadata().isEmpty());
    }

    @Test
    void sameInputGivesSameBytes() throws IOException {
        List<TensorData> t = List.of(new TensorData.F32("w", new float[] {1, 2, 3}, 3));
        Map<String, String> m = Map.of("a", "1", "b", "2", "c", "3", "d", "4");
        Safetensors.write(dir.resolve("1"), t, m);
        Safetensors.write(dir.resolve("2"), t, Map.copyOf(m));
        assertArrayEquals(Files.readAllBytes(dir.resolve("1")), Files.readAllBytes(dir.resolve("2")));
    }

    @Test
    void successfulWriteLeavesNoTemporaryFiles() throws IOException {
        Path file = dir.resolve("m.safetensors");
        Safetensors.write(file, List.of(new TensorData.I32("x", new int[] {1})), Map.of());
        Safetensors.write(file, List.of(new TensorData.I32("x", new int[] {2})), Map.of()); // replaces
        assertEquals(List.of(file), list(dir));
        assertEquals(2, Safetensors.read(file).ints("x")[0]);
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
