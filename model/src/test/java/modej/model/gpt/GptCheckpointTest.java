package modej.model.gpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import modej.model.checkpoint.CheckpointException;
import modej.model.checkpoint.GptCheckpoint;
import modej.model.param.Slab;

class GptCheckpointTest {

    static GptParams trainedLooking() {
        GptParams p = new GptParams(new GptConfig(256, 16, 2, 2, 32, false)).init(3).makeTrainable();
        SplittableRandom r = new SplittableRandom(4);
        for (Slab s : p.slabs()) {
            for (int i = 0; i < s.size(); i++) {
                s.m().data()[i] = (float) r.nextGaussian();
                s.v().data()[i] = (float) r.nextDouble();
            }
        }
        return p;
    }

    @Test
    void roundTripIsExact(@TempDir Path dir) {
        GptParams p = trainedLooking();
        Path f = dir.resolve("c.safetensors");
        GptCheckpoint.save(f, p, Map.of("modej.step", "42"), true);
        GptCheckpoint.Loaded l = GptCheckpoint.load(f, true);
        assertEquals(p.config(), l.params().config());
        assertEquals("42", l.metadata().get("modej.step"));
        for (int i = 0; i < p.slabs().size(); i++) {
            Slab a = p.slabs().get(i), b = l.params().slabs().get(i);
            assertEquals(a.name(), b.name());
            assertArrayEquals(a.params().data(), b.params().data());
            assertArrayEquals(a.m().data(), b.m().data());
            assertArrayEquals(a.v().data(), b.v().data());
        }
        assertTrue(!l.params().slabs().isEmpty() && GptCheckpoint.load(f, false).params().slabs().stream().noneMatch(Slab::trainable));
    }

    @Test
    void truncatedAndBitFlippedFilesGiveOneLineErrors(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.safetensors");
        GptCheckpoint.save(f, trainedLooking(), Map.of(), false);
        byte[] bytes = Files.readAllBytes(f);

        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        CheckpointException e = assertThrows(CheckpointException.class, () -> GptCheckpoint.load(cut, false));
        assertTrue(e.getMessage().contains("cut.safetensors") && !e.getMessage().contains("\n"), e.getMessage());

        Path flipped = dir.resolve("flipped.safetensors");
        Files.write(flipped, bytes);
        try (RandomAccessFile raf = new RandomAccessFile(flipped.toFile(), "rw")) {
            long at = bytes.length - 1000;
            raf.seek(at);
            raf.write(bytes[(int) at] ^ 0x10);
        }
        e = assertThrows(CheckpointException.class, () -> GptCheckpoint.load(flipped, false));
        assertTrue(e.getMessage().contains("flipped.safetensors") && e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void optimizerStateIsRequiredWhenAskedFor(@TempDir Path dir) {
        Path f = dir.resolve("w.safetensors");
        GptCheckpoint.save(f, trainedLooking(), Map.of(), false);
        CheckpointException e = assertThrows(CheckpointException.class, () -> GptCheckpoint.load(f, true));
        assertTrue(e.getMessage().contains("adam_m."), e.getMessage());
    }
}
