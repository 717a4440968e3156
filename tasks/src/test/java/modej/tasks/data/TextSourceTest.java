package modej.tasks.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextSourceTest {

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    private static List<String> sources(List<Document> docs) {
        return docs.stream().map(Document::source).toList();
    }

    @Test
    void readsOneFile() throws IOException {
        Path file = write("book.txt", "Zoë ate crème brûlée.\n");
        List<Document> docs = TextSource.read(file.toString());
        assertEquals(List.of(new Document(file.toString(), "Zoë ate crème brûlée.\n")), docs);
    }

    @Test
    void dropsByteOrderMark() throws IOException {
        Path file = dir.resolve("bom.txt");
        Files.write(file, new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 'h', 'i'});
        assertEquals("hi", TextSource.read(file.toString()).get(0).text());
    }

    @Test
    void readsFolderSortedSkippingHiddenAndEmpty() throws IOException {
        write("b.txt", "bee");
        write("a.txt", "ay");
        write("sub/c.md", "sea");
        write(".hidden.txt", "secret");
        write(".git/config", "secret");
        write("sub/.cache/x.txt", "secret");
        write("empty.txt", "");
        List<Document> docs = TextSource.read(dir.toString());
        assertEquals(List.of(dir.resolve("a.txt").toString(), dir.resolve("b.txt").toString(),
                dir.resolve("sub/c.md").toString()), sources(docs));
        assertEquals(List.of("ay", "bee", "sea"), docs.stream().map(Document::text).toList());
        Corpus.Tokens tokens = Corpus.load(dir.toString(), 0.5, modej.model.tokenizer.ByteTokenizer.INSTANCE);
        assertEquals(java.util.Map.of("empty files", 1), tokens.skipped(), "the empty file is counted, not silently dropped");
        assertEquals("empty files: 1", tokens.metadata(dir.toString()).get("modej.corpus.skipped"));
        assertTrue(tokens.describe(dir.toString()).endsWith("; skipped empty files: 1"));
        assertFalse(tokens.metadata(dir.toString()).containsKey("modej.corpus.sources"), "files on disk have no built-in origin");
    }

    @Test
    void readsGlobInOneFolder() throws IOException {
        write("data/b.txt", "bee");
        write("data/a.txt", "ay");
        write("data/c.md", "sea");
        write("data/sub/d.txt", "dee");
        write("data/.e.txt", "hidden");
        List<Document> docs = TextSource.read(dir + "/data/*.txt");
        assertEquals(List.of(dir.resolve("data/a.txt").toString(), dir.resolve("data/b.txt").toString()),
                sources(docs));
    }

    @Test
    void doubleStarMatchesAnyDepthIncludingNone() throws IOException {
        write("corpus/top.md", "top");
        write("corpus/x/mid.md", "mid");
        write("corpus/x/y/deep.md", "deep");
        write("corpus/x/y/deep.txt", "not markdown");
        write("corpus/.hidden/secret.md", "secret");
        write("corpus/x/.secret.md", "secret");
        List<Document> docs = TextSource.read(dir + "/corpus/**/*.md");
        assertEquals(List.of("top", "mid", "deep"), docs.stream().map(Document::text).toList());
        assertEquals(List.of(dir.resolve("corpus/top.md").toString(), dir.resolve("corpus/x/mid.md").toString(),
                dir.resolve("corpus/x/y/deep.md").toString()), sources(docs));
        assertEquals(sources(docs).stream().sorted().toList(), sources(docs));
    }

    @Test
    void relativeGlobsResolveAgainstWorkingFolder() {
        // Surefire runs in the module folder, which holds pom.xml and this test's source.
        assertEquals(List.of("pom.xml"), sources(TextSource.read("*.xml")));
        assertEquals(List.of("src/test/java/modej/tasks/data/TextSourceTest.java"),
                sources(TextSource.read("src/test/**/TextSourceTest.java")));
    }

    @Test
    void missingFileIsNamed() {
        String missing = dir.resolve("nope.txt").toString();
        var e = assertThrows(IllegalArgumentException.class, () -> TextSource.read(missing));
        assertEquals("no such file: " + missing, e.getMessage());
    }

    @Test
    void globMatchingNothingIsNamed() throws IOException {
        write("a.txt", "ay");
        String glob = dir + "/*.csv";
        var e = assertThrows(IllegalArgumentException.class, () -> TextSource.read(glob));
        assertEquals("no files match " + glob, e.getMessage());
        String noFolder = dir + "/missing/*.txt";
        e = assertThrows(IllegalArgumentException.class, () -> TextSource.read(noFolder));
        assertEquals("no files match " + noFolder, e.getMessage());
    }

    @Test
    void emptyCorpusIsNamed() throws IOException {
        write("a.txt", "");
        write("b/c.txt", "");
        var e = assertThrows(IllegalArgumentException.class, () -> TextSource.read(dir.toString()));
        assertEquals("corpus " + dir + " is empty (skipped: empty files: 2)", e.getMessage());
        Path emptyFolder = Files.createDirectory(dir.resolve("nothing"));
        e = assertThrows(IllegalArgumentException.class, () -> TextSource.read(emptyFolder.toString()));
        assertEquals("corpus " + emptyFolder + " is empty", e.getMessage());
    }

    @Test
    void invalidUtf8NamesFileByteAndLine() throws IOException {
        Path file = dir.resolve("latin1.txt");
        byte[] bytes = "ok\ncaf\u00e9 ".getBytes(StandardCharsets.ISO_8859_1);  // 0xE9 alone at byte 6
        Files.write(file, bytes);
        var e = assertThrows(IllegalArgumentException.class, () -> TextSource.read(dir.toString()));
        assertEquals(file + ": invalid UTF-8 at byte 6 (line 2)", e.getMessage());
    }

    @Test
    void truncatedCharacterAtEndIsReported() throws IOException {
        Path file = dir.resolve("cut.txt");
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
        Files.write(file, new byte[] {'a', 'b', euro[0], euro[1]});
        var e = assertThrows(IllegalArgumentException.class, () -> TextSource.read(file.toString()));
        assertTrue(e.getMessage().startsWith(file + ": invalid UTF-8 at byte 2"), e.getMessage());
    }
}
