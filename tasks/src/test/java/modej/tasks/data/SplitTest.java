package modej.tasks.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SplitTest {

    private static List<Document> corpus(int n) {
        List<Document> docs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            docs.add(new Document("doc" + i, "Document number " + i + " says something about " + (i * 31 % 17) + "."));
        }
        return docs;
    }

    private static Set<Document> asSet(List<Document> docs) {
        return new HashSet<>(docs);
    }

    @Test
    void partsAreDisjointAndCoverTheCorpus() {
        List<Document> docs = corpus(2000);
        Split split = Split.of(docs, 0.8, 0.1, 0.1);
        assertEquals(docs.size(), split.train().size() + split.validation().size() + split.test().size());
        Set<Document> all = new HashSet<>(split.train());
        all.addAll(split.validation());
        all.addAll(split.test());
        assertEquals(asSet(docs), all);
        assertTrue(Collections.disjoint(split.train(), split.validation()));
        assertTrue(Collections.disjoint(split.train(), split.test()));
        assertTrue(Collections.disjoint(split.validation(), split.test()));
        // Fractions hold roughly: 200 expected in validation, 3 sigma is about 40.
        assertTrue(Math.abs(split.validation().size() - 200) < 45, "validation " + split.validation().size());
        assertTrue(Math.abs(split.test().size() - 200) < 45, "test " + split.test().size());
    }

    @Test
    void stableAcrossCallsAndInputOrder() {
        List<Document> docs = corpus(500);
        Split first = Split.of(docs, 0.9, 0.1, 0.0);
        assertEquals(first, Split.of(docs, 0.9, 0.1, 0.0));
        List<Document> shuffled = new ArrayList<>(docs);
        Collections.shuffle(shuffled, new Random(7));
        Split again = Split.of(shuffled, 0.9, 0.1, 0.0);
        assertEquals(asSet(first.train()), asSet(again.train()));
        assertEquals(asSet(first.validation()), asSet(again.validation()));
        assertTrue(first.test().isEmpty());
        assertFalse(first.validation().isEmpty());
    }

    @Test
    void partKeepsInputOrder() {
        List<Document> docs = corpus(300);
        List<Document> train = Split.of(docs, 0.5, 0.5, 0.0).train();
        List<Document> inOrder = new ArrayList<>(train);
        inOrder.sort((a, b) -> docs.indexOf(a) - docs.indexOf(b));
        assertEquals(inOrder, train);
    }

    @Test
    void identicalTextsLandTogether() {
        List<Document> docs = new ArrayList<>(corpus(200));
        for (int i = 0; i < 200; i++) {
            docs.add(new Document("copy" + i, docs.get(i).text()));
        }
        Split split = Split.of(docs, 0.5, 0.3, 0.2);
        for (List<Document> part : List.of(split.train(), split.validation(), split.test())) {
            Set<String> texts = new HashSet<>();
            part.forEach(d -> texts.add(d.text()));
            for (Document doc : docs) {
                assertEquals(texts.contains(doc.text()), part.contains(doc), doc.source());
            }
        }
    }

    @Test
    void oneLongFileStillGetsValidationChunks() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < 400_000; i++) {
            text.append("Paragraph ").append(i).append(" tells of ship ").append(i * 7919 % 1000).append(".\n\n");
        }
        List<Document> book = List.of(new Document("book.txt", text.toString()));
        assertTrue(Split.of(book, 0.9, 0.1, 0.0).validation().isEmpty()
                || Split.of(book, 0.9, 0.1, 0.0).train().isEmpty());
        Split split = Split.byFraction(book, 0.9, 0.1, 0.0);
        assertFalse(split.validation().isEmpty());
        assertFalse(split.train().isEmpty());
        int chars = 0;
        for (Document chunk : split.train()) {
            assertTrue(chunk.text().length() <= Split.DEFAULT_CHUNK_CHARS);
            chars += chunk.text().length();
        }
        for (Document chunk : split.validation()) {
            chars += chunk.text().length();
        }
        assertEquals(text.length(), chars);
        assertEquals(split, Split.byFraction(book, 0.9, 0.1, 0.0));
    }

    @Test
    void hashIsUniformEnough() {
        int below = 0;
        for (int i = 0; i < 10_000; i++) {
            double u = Split.unitHash("text " + i);
            assertTrue(u >= 0 && u < 1);
            below += u < 0.5 ? 1 : 0;
        }
        assertTrue(Math.abs(below - 5000) < 250, "below half: " + below);
    }

    /** 0, 1 or 2: the part of {@code split} that holds {@code doc}. */
    private static int partOf(Split split, Document doc) {
        return split.train().contains(doc) ? 0 : split.validation().contains(doc) ? 1 : 2;
    }

    @Test
    void sameSplitOnAnyThreadCount() throws Exception {
        List<Document> docs = corpus(3000);
        Split whole = Split.of(docs, 0.8, 0.1, 0.1);
        // Each document split on its own, in a parallel stream, lands where it does in the whole split.
        Map<Document, Integer> alone = docs.parallelStream().collect(Collectors.toConcurrentMap(
                d -> d, d -> partOf(Split.of(List.of(d), 0.8, 0.1, 0.1), d)));
        for (Document doc : docs) {
            assertEquals(partOf(whole, doc), alone.get(doc), doc.source());
        }
        // Two threads splitting the same corpus at once get the same split as one thread.
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Split>> runs = pool.invokeAll(List.<Callable<Split>>of(
                    () -> Split.of(docs, 0.8, 0.1, 0.1), () -> Split.of(docs, 0.8, 0.1, 0.1)));
            for (Future<Split> run : runs) {
                assertEquals(whole, run.get());
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void sameSplitOnEveryRun() {
        // Pinned: a change here means every corpus is split differently from earlier runs.
        Split split = Split.of(corpus(2000), 0.8, 0.1, 0.1);
        assertEquals(List.of(1592, 198, 210),
                List.of(split.train().size(), split.validation().size(), split.test().size()));
        assertEquals(List.of("doc0", "doc42", "doc48"), split.validation().subList(0, 3).stream().map(Document::source).toList());
        assertEquals(List.of("doc11", "doc12", "doc19"), split.test().subList(0, 3).stream().map(Document::source).toList());
    }

    @Test
    void badFractionsAreRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> Split.of(corpus(3), 0.9, 0.2, 0.0));
        assertEquals("split fractions must be in [0, 1] and sum to 1, got train 0.9, validation 0.2, test 0.0",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Split.of(corpus(3), 1.1, -0.1, 0.0));
    }
}
