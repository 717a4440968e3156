package modej.tasks.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesSourceTest {

    private static final String QA = "?template={question}\\n{answer}";

    @TempDir
    Path dir;

    private Path write(String text) throws IOException {
        return Files.writeString(dir.resolve("train.jsonl"), text, StandardCharsets.UTF_8);
    }

    private String error(String spec) {
        return assertThrows(IllegalArgumentException.class, () -> Corpus.documents(spec)).getMessage();
    }

    @Test
    void joinsFieldsByTemplate() throws IOException {
        Path file = write("""
                {"question": "What is 2+3?", "answer": "2+3 = <<2+3=5>>5\\n#### 5"}
                {"answer": 7, "question": "Seven?", "extra": [1, 2]}
                """);
        List<Document> docs = Corpus.documents("jsonl:" + file + QA);
        assertEquals(List.of(new Document(file + ":1", "What is 2+3?\n2+3 = <<2+3=5>>5\n#### 5"),
                new Document(file + ":2", "Seven?\n7")), docs);
    }

    @Test
    void defaultTemplateIsTextAndBracesCanBeLiteral() throws IOException {
        Path file = write("{\"text\": \"caf\u00e9\"}\r\n{\"text\": \"x\", \"n\": 1.5}\n");
        Path numbered = Files.writeString(dir.resolve("numbered.jsonl"), "{\"text\": \"caf\u00e9\", \"n\": 2}\n{\"text\": \"x\", \"n\": 1.5}\n");
        assertEquals(List.of("café", "x"), Corpus.documents("jsonl:" + file).stream().map(Document::text).toList());
        assertEquals(List.of("{café} 2", "{x} 1.5"), Corpus.documents("jsonl:" + numbered
                + "?template={{{text}}} {n}").stream().map(Document::text).toList());
    }

    @Test
    void blankLinesAndEmptyTextsAreCounted() throws IOException {
        Path file = write("{\"text\": \"a\"}\n\n   \n{\"text\": \"\"}\n{\"text\": \"b\"}");
        CorpusText text = Corpus.read("jsonl:" + file);
        assertEquals(List.of("a", "b"), text.documents().stream().map(Document::text).toList());
        assertEquals(Map.of("blank lines", 2, "empty texts", 1), text.skipped());
        assertEquals("blank lines: 2, empty texts: 1", text.skippedSummary());
        assertEquals(file + ":5", text.documents().get(1).source());
    }

    @Test
    void badJsonNamesFileAndLine() throws IOException {
        Path file = write("{\"text\": \"a\"}\n{\"text\": \"b\",}\n");
        String message = error("jsonl:" + file);
        assertTrue(message.startsWith(file + " line 2: not valid JSON (column "), message);
        write("{\"text\": \"a\"} {\"text\": \"b\"}\n");
        assertTrue(error("jsonl:" + file).startsWith(file + " line 1: not valid JSON"));
        write("{\"text\": \"a\"}\n[1, 2]\n");
        assertEquals(file + " line 2: expected a JSON object, got array", error("jsonl:" + file));
    }

    @Test
    void missingOrNonTextFieldNamesFileAndLine() throws IOException {
        Path file = write("""
                {"question": "q1", "answer": "a1"}
                {"question": "q2", "answer": "a2"}
                {"question": "q3"}
                """);
        assertEquals(file + " line 3: no field 'answer'", error("jsonl:" + file + QA));
        write("{\"question\": \"q1\", \"answer\": null}\n");
        assertEquals(file + " line 1: no field 'answer'", error("jsonl:" + file + QA));
        write("{\"question\": \"q1\", \"answer\": {\"x\": 1}}\n");
        assertEquals(file + " line 1: field 'answer' is an object, not text", error("jsonl:" + file + QA));
    }

    @Test
    void invalidUtf8NamesFileAndLine() throws IOException {
        Path file = dir.resolve("train.jsonl");
        Files.write(file, "{\"text\": \"ok\"}\n{\"text\": \"caf\u00e9\"}\n".getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(file + ": invalid UTF-8 at byte 28 (line 2)", error("jsonl:" + file));
    }

    @Test
    void badSpecsAreNamed() throws IOException {
        Path file = write("{\"text\": \"a\"}\n");
        assertEquals("no such file: " + dir.resolve("nope.jsonl"), error("jsonl:" + dir.resolve("nope.jsonl")));
        assertEquals("corpus spec jsonl:" + file + "?template={a: template needs {field} names, got '{a' "
                + "(write {{ and }} for literal braces)", error("jsonl:" + file + "?template={a"));
        assertEquals("corpus spec jsonl:" + file + "?template=a}: unmatched '}' in template 'a}' "
                + "(write }} for a literal brace)", error("jsonl:" + file + "?template=a}"));
        assertEquals("corpus spec jsonl:" + file + "?ext=.java: unknown parameter 'ext'; known: [template]",
                error("jsonl:" + file + "?ext=.java"));
        write("\n{\"text\": \"\"}\n");
        assertEquals("corpus jsonl:" + file + " is empty (skipped: blank lines: 1, empty texts: 1)",
                error("jsonl:" + file));
    }
}
