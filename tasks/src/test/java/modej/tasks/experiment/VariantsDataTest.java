package modej.tasks.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import modej.model.tokenizer.ByteTokenizer;
import modej.tasks.data.Corpus;
import modej.tasks.data.DomainData;
import modej.tasks.data.Document;
import modej.tasks.data.Split;
import modej.tasks.data.WeightedBatches;

/**
 * What the variants of issue 14 train on, traced batch by batch: a per-domain model draws rows of
 * its domain only; a method with {@code retentionWeight} draws the retention domain's training part
 * at that weight and never a held-out token; a plain method draws exactly the batches it drew before
 * the variants existed; and the held-out check covers the retention domain's training part when a
 * method trains on it.
 */
class VariantsDataTest {

    /** Token ranges: code trains on 0-9 and is evaluated on 40-49, math 10-19 / 50-59, english 20-29 / 30-39. */
    private static final Map<String, int[]> TRAIN = Map.of("code", new int[]{0, 10}, "math", new int[]{10, 20},
            "english", new int[]{20, 30});

    private static DomainData data() {
        Map<String, Corpus.Tokens> m = new LinkedHashMap<>();
        m.put("code", tokens(0, 40));
        m.put("math", tokens(10, 50));
        m.put("english", tokens(20, 30));
        return DomainData.of(m);
    }

    private static Corpus.Tokens tokens(int train, int validation) {
        SplittableRandom rnd = new SplittableRandom(train);
        int[] t = new int[300], v = new int[300];
        for (int i = 0; i < t.length; i++) {
            t[i] = train + rnd.nextInt(10);
            v[i] = validation + rnd.nextInt(10);
        }
        return new Corpus.Tokens(t, v, 1, "x" + train);
    }

    /** The domain a row's tokens all come from; fails on a row that mixes ranges or holds a held-out token. */
    private static String domainOf(int[] inputs, int[] targets, int row, int seq) {
        int first = inputs[row * seq];
        String domain = TRAIN.entrySet().stream().filter(e -> first >= e.getValue()[0] && first < e.getValue()[1])
                .map(Map.Entry::getKey).findFirst().orElseThrow(() -> new AssertionError("held-out token " + first));
        int[] range = TRAIN.get(domain);
        for (int i = row * seq; i < (row + 1) * seq; i++) {
            assertTrue(inputs[i] >= range[0] && inputs[i] < range[1], "row " + row + " mixes domains or is held out");
            assertTrue(targets[i] >= range[0] && targets[i] < range[1], "row " + row + " mixes domains or is held out");
        }
        return domain;
    }

    private static Map<String, Integer> draw(TrainingMix mix, int batches, int batch, int seq) {
        Map<String, Integer> rows = new LinkedHashMap<>();
        int[] in = new int[batch * seq], out = new int[batch * seq];
        mix.seek(0);
        for (int b = 0; b < batches; b++) {
            mix.next(in, out);
            for (int r = 0; r < batch; r++) {
                rows.merge(domainOf(in, out, r, seq), 1, Integer::sum);
            }
        }
        return rows;
    }

    private static WorkUnit unit(ExperimentConfig c, String label) {
        return WorkUnits.of(c).stream().filter(u -> u.label().equals(label)).findFirst().orElseThrow();
    }

    private static ExperimentConfig config() {
        return VariantsConfigTest.read(VariantsConfigTest.YAML.replace("rotate: [[code], [math], [code, math]]\n", ""),
                "seeds=[0]");
    }

    @Test
    void aPerDomainModelDrawsRowsOfItsDomainOnly() {
        ExperimentConfig c = config();
        for (String d : List.of("code", "math")) {
            WorkUnit u = unit(c, "full@" + d + "-seed0");
            TrainingMix mix = TrainingMix.of(u.variant().config(), data(), u.method(), 0);
            assertEquals(List.of(d), mix.domains());
            assertEquals(Map.of(d, 120), draw(mix, 30, 4, 32));
            assertEquals(Map.of(d, 120L), mix.rowsPerDomain());
        }
    }

    @Test
    void aRetentionWeightDrawsTheEnglishTrainingPartAtItsWeightAndNoHeldOutToken() {
        ExperimentConfig c = config();
        WorkUnit u = unit(c, "lora-seed0"); // retentionWeight 0.5 beside code 1 and math 2
        TrainingMix mix = TrainingMix.of(c, data(), u.method(), 0);
        assertEquals(List.of("code", "math", "english"), mix.domains());
        Map<String, Integer> rows = draw(mix, 70, 4, 32); // 280 rows = 80 × (1 + 2 + 0.5) / 1
        assertEquals(Map.of("code", 80, "math", 160, "english", 40), rows);
        assertEquals(Map.of("code", 80L, "math", 160L, "english", 40L), mix.rowsPerDomain());
        // resuming half-way counts the rows as if drawn from the start
        mix.seek(35);
        assertEquals(Map.of("code", 40L, "math", 80L, "english", 20L), mix.rowsPerDomain());
    }

    @Test
    void aPlainMethodDrawsTheBatchesItDrewBeforeTheVariants() {
        ExperimentConfig c = config();
        DomainData data = data();
        TrainingMix mix = TrainingMix.of(c, data, c.method("mode"), 3);
        WeightedBatches before = new WeightedBatches(List.of(data.get("code").train(), data.get("math").train()),
                new double[]{1, 2}, 4, 32, 3);
        int[] a = new int[128], at = new int[128], b = new int[128], bt = new int[128];
        for (int i = 0; i < 20; i++) {
            mix.next(a, at);
            before.next(b, bt);
            assertArrayEquals(b, a);
            assertArrayEquals(bt, at);
        }
    }

    @Test
    void theHeldOutCheckCoversTheRetentionTrainingPartWhenAMethodTrainsOnIt(@TempDir Path dir) throws IOException {
        Path english = folder(dir, "english", 200, "the cat sat on a mat and ran to his house ");
        Path numbers = folder(dir, "numbers", 60, "0123456789 ");
        Path other = folder(dir, "other", 60, "x y z ");
        // a test-only domain whose text repeats a chunk of English's training part
        List<Document> docs = Corpus.documents(english.toString());
        Document trained = Split.byFraction(docs, 0.9, 0.1, 0).train().get(0);
        Path test = Files.createDirectories(dir.resolve("test"));
        Files.writeString(test.resolve("copy.txt"), trained.text());
        String yaml = """
                name: t
                backbone: {pretrain: {corpus: %s, layers: 1, width: 8, heads: 1, context: 8, validation: 0.1}}
                domains:
                  english: %s
                  numbers: %s
                  held: {test: %s}
                methods: [{name: full, method: full}]
                budget: {steps: 4, stage2Steps: 2, batch: 2, seq: 8}
                evaluation: {validation: 0.1}
                """.formatted(other, english, numbers, test);
        ExperimentConfig plain = ExperimentFile.read(yaml, false, "t.yaml", List.of());
        ExperimentData data = load(plain);
        assertEquals(Set.of(ExperimentData.BACKBONE, "numbers"), data.overlaps().get("held").keySet(),
                "without a retention weight no run trains on English: not a training stream");

        ExperimentConfig mixed = ExperimentFile.read(yaml, false, "t.yaml", List.of("methods.0.retentionWeight=0.2"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> load(mixed));
        assertTrue(e.getMessage().startsWith("domains.held: 1 of the 1 chunks it is evaluated on"), e.getMessage());
        assertTrue(e.getMessage().contains("also in the training part of domain english"), e.getMessage());

        Files.delete(test.resolve("copy.txt"));
        Files.writeString(test.resolve("fresh.txt"), "text no domain has");
        ExperimentData ok = load(mixed);
        assertEquals(Set.of(ExperimentData.BACKBONE, "numbers", "english"), ok.overlaps().get("english").keySet());
        assertEquals(0, ok.overlaps().get("english").get("english").chunks(), "English's evaluated text is never trained on");
        assertEquals(0, ok.overlaps().get("numbers").get("english").chunks());
    }

    private static ExperimentData load(ExperimentConfig c) {
        return ExperimentData.load(c, BackboneCorpus.of(c.backbone().pretrain()), ByteTokenizer.INSTANCE,
                new PrintStream(new ByteArrayOutputStream()));
    }

    private static Path folder(Path dir, String name, int files, String alphabet) throws IOException {
        Path d = Files.createDirectories(dir.resolve(name));
        SplittableRandom rnd = new SplittableRandom(name.hashCode());
        String[] words = alphabet.split(" ");
        for (int i = 0; i < files; i++) {
            StringBuilder s = new StringBuilder();
            while (s.length() < 300) {
                s.append(words[rnd.nextInt(words.length)]).append(' ').append(rnd.nextInt(1000)).append(' ');
            }
            Files.writeString(d.resolve(name + i + ".txt"), s.toString());
        }
        return d;
    }
}
