package modej.tasks.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DocumentTest {

    private static String join(List<Document> pieces) {
        return pieces.stream().map(Document::text).collect(Collectors.joining());
    }

    @Test
    void shortDocumentIsItsOwnChunk() {
        Document doc = new Document("a.txt", "short\ntext\n");
        assertSame(doc, doc.chunks(100).get(0));
        assertEquals(1, doc.chunks(100).size());
    }

    @Test
    void chunksBreakAtNewlinesAndRejoin() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            text.append("line ").append(i).append(i % 7 == 0 ? "\n\n" : "\n");
        }
        Document doc = new Document("book.txt", text.toString());
        List<Document> pieces = doc.chunks(256);
        assertTrue(pieces.size() > 10);
        assertEquals(doc.text(), join(pieces));
        int offset = 0;
        for (Document piece : pieces) {
            assertTrue(piece.text().length() <= 256, piece.source());
            assertEquals("book.txt@" + offset, piece.source());
            offset += piece.text().length();
        }
        for (Document piece : pieces.subList(0, pieces.size() - 1)) {
            assertTrue(piece.text().endsWith("\n"), piece.source());
        }
    }

    @Test
    void chunksPreferBlankLines() {
        // The blank line ends at 62, in the second half of the first 100 chars; a newline follows at 92.
        String text = "a".repeat(60) + "\n\n" + "b".repeat(30) + "\n" + "c".repeat(40);
        List<Document> pieces = new Document("d", text).chunks(100);
        assertEquals("a".repeat(60) + "\n\n", pieces.get(0).text());
        assertEquals(text, join(pieces));
    }

    @Test
    void textWithoutNewlinesIsCutWithoutSplittingSurrogates() {
        String text = "x" + "🎉".repeat(50);  // each emoji is two chars
        List<Document> pieces = new Document("emoji", text).chunks(10);
        assertEquals(text, join(pieces));
        for (Document piece : pieces) {
            assertTrue(piece.text().length() <= 10);
            assertTrue(!Character.isLowSurrogate(piece.text().charAt(0)), piece.source());
        }
    }

    @Test
    void tinyChunkSizeIsRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Document("d", "text").chunks(1));
        assertEquals("chunk size must be at least 2 characters, got 1", e.getMessage());
    }
}
