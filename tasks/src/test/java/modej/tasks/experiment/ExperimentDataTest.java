package modej.tasks.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import modej.tasks.data.ByteTokens;
import modej.tasks.data.Corpus;
import modej.tasks.data.Document;
import modej.tasks.data.Overlap;
import modej.tasks.data.Split;

/**
 * The experiment's data is checked before any training: evaluated text is text no model trained on
 * (checked against splits computed here independently with {@link Split}), test sources, and
 * one-line errors naming the key.
 */
class ExperimentDataTest {

    @TempDir
    Path dir;
    private Path english, numbers;

    @BeforeEach
    void corpora() throws IOException {
        english = folder("english", 400, "the cat sat on a mat and ran to his house ");
        numbers = folder("numbers", 60, "0123456789 ");
    }

    private Path folder(String name, int files, String alphabet) throws IOException {
        Path d = dir.resolve(name);
        Files.createDirectories(d);
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

    /** A quickstart-like file: the backbone pretrains on the English corpus, which is also the retention domain. */
    private ExperimentConfig config(String domains, String evaluation) {
        return ExperimentFile.read("""
                name: t
                backbone: {pretrain: {corpus: %s, layers: 1, width: 8, heads: 1, context: 8, validation: 0.05}}
                domains:
                %s
                methods: [{name: full, method: full}, {name: mode, method: mode}]
                budget: {steps: 4, stage2Steps: 2, batch: 2, seq: 8}
                evaluation: %s
                """.formatted(english, domains.indent(2), evaluation), false, "t.yaml", List.of());
    }

    private static ExperimentData load(ExperimentConfig c, BackboneCorpus b) {
        return ExperimentData.load(c, b, new PrintStream(new ByteArrayOutputStream()));
    }

    private static Set<String> texts(List<Document> docs) {
        Set<String> s = new HashSet<>();
        docs.forEach(d -> s.add(d.text()));
        return s;
    }

    @Test
    void retentionIsMeasuredOnlyOnTextTheBackboneNeverTrainedOn() {
        ExperimentConfig c = config("english: " + english + "\nnumbers: " + numbers, "{validation: 0.1}");
        List<Document> docs = Corpus.documents(english.toString());
        Set<String> pretrained = texts(Split.byFraction(docs, 0.95, 0.05, 0).train()); // what the backbone trained on
        // before: the experiment held out 10% by the same hash, about half of it pretrained on
        List<Document> before = Split.byFraction(docs, 0.9, 0.1, 0).validation();
        long leaked = before.stream().filter(d -> pretrained.contains(d.text())).count();
        assertTrue(leaked >= before.size() / 4, leaked + " of " + before.size());

        ExperimentData data = load(c, BackboneCorpus.of(c.backbone().pretrain()));
        List<Document> evaluated = data.data().evaluationChunks("english");
        assertFalse(evaluated.isEmpty());
        assertTrue(evaluated.stream().noneMatch(d -> pretrained.contains(d.text())));
        assertEquals(Split.byFraction(docs, 0.95, 0.05, 0).validation(), evaluated); // the backbone's own held-out part
        assertEquals(0.05, data.split().fraction());
        assertEquals(Overlap.NONE, data.overlaps().get("english").get(ExperimentData.BACKBONE));
        assertEquals(Overlap.NONE, data.overlaps().get("numbers").get("numbers"));
        assertEquals(Set.of(ExperimentData.BACKBONE, "numbers"), data.overlaps().get("english").keySet(),
                "english has weight 0: not a training stream");
        assertEquals(ByteTokens.encode(evaluated).length, data.data().get("english").validation().length);
    }

    @Test
    void aCheckpointThatDoesNotRecordItsSplitCountsEveryChunkAsTrainedOn() {
        ExperimentConfig c = config("english: " + english + "\nnumbers: " + numbers, "{validation: 0.1}");
        BackboneCorpus old = BackboneCorpus.of(Map.of("modej.corpus", english.toString()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> load(c, old));
        assertTrue(e.getMessage().startsWith("domains.english: "), e.getMessage());
        assertTrue(e.getMessage().contains("the backbone's pretraining data") && e.getMessage().contains("allowOverlap: true"),
                e.getMessage());

        ExperimentConfig allowed = config("english: {source: " + english + ", allowOverlap: true}\nnumbers: " + numbers,
                "{validation: 0.1}");
        ExperimentData data = load(allowed, old);
        int held = data.data().evaluationChunks("english").size();
        assertEquals(held, data.overlaps().get("english").get(ExperimentData.BACKBONE).chunks());
        assertEquals(0.1, data.split().fraction());
    }

    @Test
    void aTestSourceIsEvaluatedWholeAndItsOverlapWithTrainingTextIsRefused() throws IOException {
        Path test = folder("test", 5, "9 8 7 ");
        ExperimentConfig c = config("english: " + english + "\nnumbers: {source: " + numbers + ", test: " + test + "}",
                "{validation: 0.1}");
        ExperimentData data = load(c, BackboneCorpus.of(c.backbone().pretrain()));
        assertEquals(ByteTokens.encode(Corpus.documents(test.toString())).length, data.data().get("numbers").validation().length);
        List<Document> numberDocs = Corpus.documents(numbers.toString());
        assertEquals(ByteTokens.encode(Split.byFraction(numberDocs, 0.95, 0.05, 0).train()).length,
                data.data().get("numbers").train().length);
        assertEquals(test.toString(), data.data().test("numbers"));

        // a test file that repeats a training document
        Document trained = Split.byFraction(numberDocs, 0.95, 0.05, 0).train().get(0);
        Files.writeString(test.resolve("copy.txt"), trained.text());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> load(c, BackboneCorpus.of(c.backbone().pretrain())));
        assertTrue(e.getMessage().startsWith("domains.numbers: 1 of the 6 chunks"), e.getMessage());
        assertTrue(e.getMessage().contains("training part of domain numbers"), e.getMessage());
    }

    @Test
    void aTestOnlyDomainTrainsNothingAndGetsNoExpert() throws IOException {
        Path test = folder("test", 5, "9 8 7 ");
        ExperimentConfig c = config("english: " + english + "\nnumbers: " + numbers + "\nheld: {test: " + test + "}",
                "{validation: 0.1}");
        assertEquals(0.0, c.domains().get("held").weight());
        assertEquals(List.of("numbers"), c.method("mode").experts());
        ExperimentData data = load(c, BackboneCorpus.of(c.backbone().pretrain()));
        assertEquals(0, data.data().get("held").train().length);
        assertTrue(data.data().get("held").validation().length > 0);
        data.checkSizes(c);
    }

    @Test
    void dataMistakesAreOneLineErrorsNamingTheKey() throws IOException {
        ExperimentConfig glob = config("english: " + english + "\ncode: '" + dir + "/src/**/*.java'", "{}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> load(glob, BackboneCorpus.of(glob.backbone().pretrain())));
        assertTrue(e.getMessage().startsWith("domains.code: no files match"), e.getMessage());

        ExperimentConfig test = config("english: " + english + "\nnumbers: {source: " + numbers + ", test: " + dir
                + "/missing.txt}", "{}");
        e = assertThrows(IllegalArgumentException.class, () -> load(test, BackboneCorpus.of(test.backbone().pretrain())));
        assertTrue(e.getMessage().startsWith("domains.numbers.test: no such file"), e.getMessage());

        Path jsonl = dir.resolve("qa.jsonl");
        Files.writeString(jsonl, "{\"question\": \"1+1?\", \"answer\": \"2\"}\n");
        ExperimentConfig field = config("english: " + english + "\nqa: 'jsonl:" + jsonl + "?template={question} {solution}'",
                "{}");
        e = assertThrows(IllegalArgumentException.class, () -> load(field, BackboneCorpus.of(field.backbone().pretrain())));
        assertTrue(e.getMessage().startsWith("domains.qa: ") && e.getMessage().contains("no field 'solution'"), e.getMessage());

        ExperimentConfig corpus = ExperimentFile.read("""
                name: t
                backbone: {pretrain: {corpus: %s/nothing}}
                domains: {numbers: %s}
                methods: [{name: full, method: full}]
                """.formatted(dir, numbers), false, "t.yaml", List.of());
        e = assertThrows(IllegalArgumentException.class, () -> load(corpus, BackboneCorpus.of(corpus.backbone().pretrain())));
        assertTrue(e.getMessage().startsWith("backbone.pretrain.corpus: "), e.getMessage());
    }

    @Test
    void expertsAreTrainedOnlyForDomainsThatTrain() {
        ExperimentConfig c = config("english: " + english + "\nnumbers: " + numbers + "\nquiet: {source: " + numbers
                + ", weight: 0}", "{}");
        assertEquals(List.of("numbers"), c.method("mode").experts());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ExperimentFile.read("""
                name: t
                backbone: {checkpoint: x.safetensors}
                domains: {numbers: %s, held: {test: %s}}
                methods: [{name: mode, method: mode, experts: [numbers, held]}]
                """.formatted(numbers, numbers), false, "t.yaml", List.of()));
        assertTrue(e.getMessage().contains("methods.0.experts: domain 'held' does not train (test only"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ExperimentFile.read("""
                name: t
                backbone: {checkpoint: x.safetensors}
                domains: {numbers: %s, held: {test: %s, weight: 1}}
                methods: [{name: full, method: full}]
                """.formatted(numbers, numbers), false, "t.yaml", List.of()));
        assertTrue(e.getMessage().contains("domains.held.weight: 1.0 on a test-only domain"), e.getMessage());
    }

    @Test
    void aDataMistakeStopsTheExperimentBeforeTheBackbonePretrains(@TempDir Path tmp) throws IOException {
        TinyExperiment x = new TinyExperiment(tmp);
        String yaml = Files.readString(x.config);
        Files.writeString(x.config, yaml.replace("  code: " + tmp.resolve("code"), "  code: '" + tmp + "/src/**/*.java'"));
        TinyExperiment.Outcome o = x.run();
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains("domains.code: no files match"), o.err());
        assertFalse(o.err().contains("at modej."), "no stack trace: " + o.err());
        assertFalse(Files.exists(x.out.resolve("backbone")), "nothing pretrained");
    }

    @Test
    void theReportStatesTheOverlapsTheEvaluatedTokensAndTheirSamplingError(@TempDir Path tmp) throws IOException {
        TinyExperiment x = new TinyExperiment(tmp);
        String yaml = Files.readString(x.config).replace("seeds: [0, 1]", "seeds: [0]")
                .replace("  - {name: mode, method: mode, blocks: 2, expertLayers: 1, init: random}\n", "");
        Files.writeString(x.config, yaml);
        TinyExperiment.Outcome o = x.run();
        assertEquals(0, o.code(), o.err());
        DataFacts facts = DataFacts.readIfPresent(x.out.resolve("data.json"));
        assertEquals("sha256-chunks chunkChars=4096 heldOut=0.3", facts.split());
        assertEquals(Set.of("backbone", "numbers", "code", "math"), facts.domains().get("english").overlap().keySet(),
                "english has weight 0: not a training stream");
        facts.domains().forEach((name, d) -> d.overlap().forEach((stream, overlap) ->
                assertEquals(Overlap.NONE, overlap, name + " vs " + stream)));
        String report = Files.readString(x.out.resolve("report.md"));
        assertTrue(report.contains("| english | 0 chunks, 0 tokens | 0 chunks, 0 tokens |"), report);
        assertTrue(report.contains("Evaluated, per run: english "), report);
        assertTrue(report.contains(" [se 0."), report);
        RunResult full = RunResult.read(x.result("full-seed0"));
        var m = full.metrics().get("english");
        assertEquals((long) m.windows() * 16, m.rows());
        assertTrue(m.windows() <= 4 && m.windows() < m.available(), m.windows() + " of " + m.available());
        assertTrue(m.accuracyStdErr() > 0 && m.lossStdErr() > 0);
    }
}
