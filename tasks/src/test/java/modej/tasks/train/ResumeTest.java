package modej.tasks.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import modej.engine.jvm.JvmBackend;
import modej.model.checkpoint.GptCheckpoint;
import modej.model.gpt.GptConfig;
import modej.model.gpt.GptParams;
import modej.model.param.AdamWSettings;
import modej.model.param.Slab;

class ResumeTest {

    static final GptConfig CONFIG = new GptConfig(256, 16, 2, 2, 32, true);
    static final Pretrainer.Settings SETTINGS = new Pretrainer.Settings(new TrainingSettings(4, 16, 12,
            new LearningRate(3e-3f, 3e-4f, 3, 12), AdamWSettings.DEFAULT, 5, 2, 99, 0f), 4);

    static int[] text(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = 'a' + r.nextInt(8);
        }
        return a;
    }

    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    @Test
    void stoppedAndResumedRunEndsBitIdenticalToUninterruptedRun(@TempDir Path dir) throws Exception {
        int[] train = text(1, 5000), val = text(2, 400);
        Path straight = dir.resolve("straight.safetensors"), broken = dir.resolve("broken.safetensors");
        try (JvmBackend be = new JvmBackend(2, true, false)) {
            GptParams a = new GptParams(CONFIG).init(5).makeTrainable();
            new Pretrainer(a, SETTINGS, be, train, val, straight, Map.of()).run(0, QUIET);

            GptParams b = new GptParams(CONFIG).init(5).makeTrainable();
            new Pretrainer(b, SETTINGS, be, train, val, broken, Map.of()).run(0, 7, QUIET);
            GptCheckpoint.Loaded loaded = GptCheckpoint.load(broken, true);
            assertEquals("7", loaded.metadata().get("modej.step"));
            new Pretrainer(loaded.params(), SETTINGS, be, train, val, broken, Map.of()).run(7, QUIET);

            GptParams c = GptCheckpoint.load(broken, true).params();
            GptParams d = GptCheckpoint.load(straight, true).params();
            for (int i = 0; i < a.slabs().size(); i++) {
                Slab x = a.slabs().get(i), y = loaded.params().slabs().get(i);
                assertArrayEquals(x.params().data(), y.params().data(), x.name() + " weights in memory");
                assertArrayEquals(x.m().data(), y.m().data(), x.name() + " adam m");
                assertArrayEquals(x.v().data(), y.v().data(), x.name() + " adam v");
                assertArrayEquals(d.slabs().get(i).params().data(), c.slabs().get(i).params().data(), x.name() + " saved weights");
            }
        }
    }
}
