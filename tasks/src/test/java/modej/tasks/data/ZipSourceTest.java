package modej.tasks.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import modej.model.tokenizer.ByteTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZipSourceTest {

    @TempDir
    Path dir;

    /** Writes a zip with these entries in this order; a name ending in '/' is a folder. */
    private Path zip(String name, Map<String, byte[]> entries) throws IOException {
        Path file = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(entry.getKey()));
                zip.write(entry.getValue());
                zip.closeEntry();
            }
        }
        return file;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private Path sources() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("b/", new byte[0]);
        entries.put("b/Zed.java", utf8("class Zed {}\n"));
        entries.put("META-INF/MANIFEST.MF", utf8("Manifest-Version: 1.0\n"));
        entries.put("a/Alpha.java", utf8("class Alpha { String s = \"é\"; }\n"));
        entries.put("a/Empty.java", new byte[0]);
        entries.put("a/notes.txt", utf8("notes"));
        return zip("x-sources.jar", entries);
    }

    @Test
    void readsMatchingEntriesSortedByName() throws IOException {
        Path jar = sources();
        CorpusText text = Corpus.read("zip:" + jar + "?ext=.java");
        assertEquals(List.of(new Document(jar + "!a/Alpha.java", "class Alpha { String s = \"é\"; }\n"),
                new Document(jar + "!b/Zed.java", "class Zed {}\n")), text.documents());
        assertEquals(Map.of("entries not ending in .java", 2, "empty entries", 1), text.skipped());
        assertEquals(List.of(), text.sources());
        Corpus.Tokens tokens = Corpus.load("zip:" + jar + "?ext=.java", 0.5, ByteTokenizer.INSTANCE);
        assertEquals(2, tokens.documents());
        assertEquals(text.skipped(), tokens.skipped());
    }

    @Test
    void severalSuffixesOrNone() throws IOException {
        Path jar = sources();
        assertEquals(List.of(jar + "!a/Alpha.java", jar + "!a/notes.txt", jar + "!b/Zed.java"),
                Corpus.documents("zip:" + jar + "?ext=.java,.txt").stream().map(Document::source).toList());
        CorpusText all = Corpus.read("zip:" + jar);
        assertEquals(4, all.documents().size());
        assertEquals(Map.of("empty entries", 1), all.skipped());
    }

    @Test
    void invalidUtf8NamesArchiveAndEntry() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("Good.java", utf8("class Good {}\n"));
        entries.put("Latin.java", "// ok\n// café\n".getBytes(StandardCharsets.ISO_8859_1));
        Path jar = zip("bad.jar", entries);
        var e = assertThrows(IllegalArgumentException.class, () -> Corpus.documents("zip:" + jar + "?ext=.java"));
        assertEquals(jar + "!Latin.java: invalid UTF-8 at byte 12 (line 2)", e.getMessage());
    }

    @Test
    void mistakesAreNamed() throws IOException {
        Path notZip = Files.writeString(dir.resolve("plain.zip"), "not a zip");
        var e = assertThrows(IllegalArgumentException.class, () -> Corpus.documents("zip:" + notZip));
        assertTrue(e.getMessage().startsWith(notZip + ": not a zip archive: "), e.getMessage());
        String missing = dir.resolve("missing.jar").toString();
        e = assertThrows(IllegalArgumentException.class, () -> Corpus.documents("zip:" + missing));
        assertEquals("no such file: " + missing, e.getMessage());
        Path jar = sources();
        e = assertThrows(IllegalArgumentException.class, () -> Corpus.documents("zip:" + jar + "?ext=.kt"));
        assertEquals("corpus zip:" + jar + "?ext=.kt is empty (skipped: entries not ending in .kt: 5)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Corpus.documents("zip:" + jar + "?ext=.java,"));
        assertEquals("corpus spec zip:" + jar + "?ext=.java,: ext needs suffixes like .java,.kt", e.getMessage());
    }
}
