package modej.tasks.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class HeldOutSplitTest {

    private static List<Document> docs(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Document> docs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            docs.add(new Document("d" + i, "doc " + i + " " + rnd.nextLong() + " " + "x".repeat(rnd.nextInt(9000))));
        }
        return docs;
    }

    private static Set<String> texts(List<Document> docs) {
        Set<String> s = new HashSet<>();
        docs.forEach(d -> s.add(d.text()));
        return s;
    }

    @Test
    void aSmallerFractionHoldsOutASubsetSoItsHeldOutTextIsNeverTrainedOnByALargerOne() {
        List<Document> docs = docs(3000, 1);
        HeldOutSplit.Parts small = HeldOutSplit.of(0.05).apply(docs), large = HeldOutSplit.of(0.1).apply(docs);
        assertTrue(texts(large.heldOut()).containsAll(texts(small.heldOut())));
        Set<String> smallHeld = texts(small.heldOut());
        assertTrue(large.train().stream().noneMatch(d -> smallHeld.contains(d.text())));
        // and the converse is the bug this rule must avoid: a larger held-out part holds pretrained text
        Set<String> smallTrain = texts(small.train());
        long leaked = large.heldOut().stream().filter(d -> smallTrain.contains(d.text())).count();
        assertTrue(leaked > large.heldOut().size() / 4, "held out by 0.1 but trained on by 0.05: " + leaked);
    }

    @Test
    void isTheSplitPretrainingAlwaysUsed() {
        List<Document> docs = docs(500, 2);
        Split old = Split.byFraction(docs, 0.95, 0.05, 0);
        HeldOutSplit.Parts parts = HeldOutSplit.of(0.05).apply(docs);
        assertEquals(old.train(), parts.train());
        assertEquals(old.validation(), parts.heldOut());
        assertFalse(parts.heldOut().isEmpty());
    }

    @Test
    void itsTextReadsBackAndBadTextFailsNamingTheKey() {
        HeldOutSplit s = new HeldOutSplit(0.05, 1024);
        assertEquals("sha256-chunks chunkChars=1024 heldOut=0.05", s.text());
        assertEquals(s, HeldOutSplit.parse(s.text()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HeldOutSplit.parse("halves"));
        assertTrue(e.getMessage().startsWith("modej.corpus.split: "), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> HeldOutSplit.of(1.0));
    }

    @Test
    void corpusTokensRecordTheirSplitInTheMetadata() {
        Corpus.Tokens t = Corpus.tokens(CorpusText.of(docs(50, 3)), HeldOutSplit.of(0.2).apply(docs(50, 3)),
                HeldOutSplit.of(0.2).text());
        assertEquals("sha256-chunks chunkChars=4096 heldOut=0.2", t.metadata("x").get(HeldOutSplit.KEY));
    }
}
