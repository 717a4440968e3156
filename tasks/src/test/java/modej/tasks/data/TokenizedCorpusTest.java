package modej.tasks.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import modej.model.tokenizer.ByteTokenizer;
import modej.model.tokenizer.Gpt2Tokenizer;
import modej.model.tokenizer.Tokenizer;

/** Every kind of corpus through GPT-2's BPE: the token streams decode back to exactly the split's text. */
class TokenizedCorpusTest {

    @TempDir
    Path dir;

    private final Tokenizer gpt2 = Gpt2Tokenizer.INSTANCE;

    @Test
    void everyCorpusKindRoundTrips() throws IOException {
        Path text = dir.resolve("books");
        Files.createDirectories(text);
        Files.writeString(text.resolve("a.txt"), "Once upon a time — naïve café, 数学.\n\nThe end.\n".repeat(20));
        Files.writeString(text.resolve("b.txt"), "Second book.\tTabs and  spaces\r\nand CRLF.\n".repeat(20));
        Path jsonl = dir.resolve("qa.jsonl");
        Files.writeString(jsonl, "{\"q\": \"2+2?\", \"a\": \"4 🙂\"}\n{\"q\": \"Ünïcode?\", \"a\": \"yes\"}\n"
                + "{\"q\": \"x\", \"a\": \"<|endoftext|> stays text\"}\n");
        Path jar = dir.resolve("src.jar");
        try (OutputStream out = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (String name : List.of("A.java", "B.java", "C.java")) {
                zip.putNextEntry(new ZipEntry(name));
                zip.write(("class " + name.charAt(0) + " { String s = \"é\"; int x = 0x1F; }\n").getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        for (String spec : List.of(text.toString(), "jsonl:" + jsonl + "?template={q}\n{a}", "zip:" + jar + "?ext=.java",
                "math?count=60&seed=3")) {
            Corpus.Tokens tokens = Corpus.load(spec, 0.3, gpt2);
            List<Document> docs = Corpus.documents(spec);
            Split split = Split.byFraction(docs, 0.7, 0.3, 0);
            assertEquals(joined(split.train()), gpt2.decode(tokens.train(), 0, tokens.train().length), spec);
            assertEquals(joined(split.validation()), gpt2.decode(tokens.validation(), 0, tokens.validation().length), spec);
            for (int id : tokens.train()) {
                assertTrue(id >= 0 && id < Gpt2Tokenizer.END_OF_TEXT, spec);
            }
            // BPE makes fewer tokens than bytes, and the fingerprint tells the two streams apart
            Corpus.Tokens bytes = Corpus.load(spec, 0.3, ByteTokenizer.INSTANCE);
            assertTrue(tokens.train().length + tokens.validation().length
                    < bytes.train().length + bytes.validation().length, spec);
            assertNotEquals(bytes.fingerprint(), tokens.fingerprint(), spec);
            assertEquals(bytes.train().length, gpt2.textBytes(tokens.train(), 0, tokens.train().length), spec);
        }
    }

    /** The large built-in corpora: every one of the first documents round-trips on its own. */
    @Test
    void builtInEnglishAndCodeRoundTrip() {
        for (String spec : List.of("english", "code")) {
            List<Document> docs = Corpus.documents(spec);
            for (Document d : docs.subList(0, Math.min(400, docs.size()))) {
                int[] ids = gpt2.encode(d.text());
                assertEquals(d.text(), gpt2.decode(ids, 0, ids.length), spec + " " + d.source());
            }
        }
    }

    /** The byte path is unchanged: the same stream as before tokenizers were a choice. */
    @Test
    void bytesStayTheSame() {
        List<Document> docs = List.of(new Document("a", "ab"), new Document("b", "é"));
        assertArrayEquals(ByteTokens.encode(docs), Corpus.encode(docs, ByteTokenizer.INSTANCE));
        assertArrayEquals(ByteTokenizer.INSTANCE.encodeDocuments(List.of("ab", "é")), Corpus.encode(docs, ByteTokenizer.INSTANCE));
    }

    private static String joined(List<Document> docs) {
        return String.join("\n\n", docs.stream().map(Document::text).toList());
    }
}
