package modej.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class CheckpointTest {

    static final Path FILE = Path.of("runs/ckpt.safetensors");

    static Checkpoint sample() {
        var tensors = new LinkedHashMap<String, TensorData>();
        tensors.put("wte", new TensorData.F32("wte", new float[6], 3, 2));
        tensors.put("tokens", new TensorData.I32("tokens", new int[] {1, 2}, 2));
        tensors.put("step", new TensorData.I64("step", new long[] {9}));
        return new Checkpoint(FILE, Map.of("k", "v"), tensors);
    }

    static void assertFails(String expected, Runnable r) {
        CheckpointException e = assertThrows(CheckpointException.class, r::run);
        assertEquals("checkpoint " + FILE + ": " + expected, e.getMessage());
    }

    @Test
    void typedLookups() {
        Checkpoint c = sample();
        assertEquals(6, c.floats("wte").length);
        assertArrayEquals(new int[] {1, 2}, c.ints("tokens"));
        assertArrayEquals(new long[] {9}, c.longs("step"));
        assertSame(c.tensor("wte"), c.expectShape("wte", 3, 2));
    }

    @Test
    void lookupErrorsNameTheTensor() {
        Checkpoint c = sample();
        assertFails("no tensor 'wpe' (it has 3 tensors: wte, tokens, step)", () -> c.floats("wpe"));
        assertFails("tensor 'tokens' is I32, not F32", () -> c.floats("tokens"));
        assertFails("tensor 'wte' is F32, not I32", () -> c.ints("wte"));
        assertFails("tensor 'tokens' is I32, not I64", () -> c.longs("tokens"));
        assertFails("tensor 'wte' has shape [3, 2], expected [2, 3]", () -> c.expectShape("wte", 2, 3));
        assertFails("tensor 'step' has shape [], expected [1]", () -> c.expectShape("step", 1));
    }

    @Test
    void mapsAreReadOnly() {
        Checkpoint c = sample();
        assertThrows(UnsupportedOperationException.class, () -> c.tensors().remove("wte"));
        assertThrows(UnsupportedOperationException.class, () -> c.metadata().put("a", "b"));
    }

    @Test
    void tensorDataValidation() {
        var e = assertThrows(IllegalArgumentException.class, () -> new TensorData.F32("w", new float[5], 2, 3));
        assertEquals("tensor 'w': shape [2, 3] holds 6 elements but the data has 5", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TensorData.I32("", new int[1]));
        assertThrows(IllegalArgumentException.class, () -> new TensorData.I32(null, new int[1]));
        assertThrows(IllegalArgumentException.class, () -> new TensorData.I64("n", new long[0], -1, 0));
        assertThrows(IllegalArgumentException.class, () -> new TensorData.I64("o", new long[0], 1L << 62, 1L << 62, 0));
        assertThrows(NullPointerException.class, () -> new TensorData.F32("w", null, 1));
    }

    @Test
    void tensorDataEqualityIsBitwise() {
        float nan1 = Float.intBitsToFloat(0x7fc00001), nan2 = Float.intBitsToFloat(0x7fc00002);
        assertEquals(new TensorData.F32("a", new float[] {nan1}), new TensorData.F32("a", new float[] {nan1}));
        assertNotEquals(new TensorData.F32("a", new float[] {nan1}), new TensorData.F32("a", new float[] {nan2}));
        assertNotEquals(new TensorData.F32("a", new float[] {0f}), new TensorData.F32("a", new float[] {-0f}));
        assertNotEquals(new TensorData.F32("a", new float[2], 2), new TensorData.F32("a", new float[2], 1, 2));
        assertNotEquals(new TensorData.F32("a", new float[1]), new TensorData.F32("b", new float[1]));
        assertNotEquals(new TensorData.I32("a", new int[1]), new TensorData.F32("a", new float[1]));
    }

    @Test
    void shapeIsCopied() {
        long[] shape = {2, 1};
        var t = new TensorData.I32("x", new int[2], shape);
        shape[0] = 99;
        t.shape()[1] = 99;
        assertArrayEquals(new long[] {2, 1}, t.shape());
        assertTrue(t.toString().equals("I32 x[2, 1]"), t.toString());
    }
}
