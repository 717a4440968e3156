package modej.tasks.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One unit of training text: a file, a WordNet synset gloss, or a chunk of either.
 *
 * @param source where the text came from, e.g. a file path or {@code wordnet:data.noun#00001740}
 * @param text   the text itself
 */
public record Document(String source, String text) {

    /** Checks that neither part is null. */
    public Document {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(text, "text");
    }

    /**
     * Cuts the text into pieces of at most {@code maxChars} characters, so that a corpus made of one
     * long file can still be split into train and validation parts. A piece ends after the last
     * blank line in its window when that lies in the window's second half, otherwise after the last
     * newline, otherwise at {@code maxChars} (never inside a surrogate pair). The pieces, in order,
     * concatenate to the original text; each is named {@code source@charOffset}.
     *
     * @param maxChars the longest piece, at least 2
     * @return this document alone when it is short enough, else its pieces in order
     */
    public List<Document> chunks(int maxChars) {
        if (maxChars < 2) {
            throw new IllegalArgumentException("chunk size must be at least 2 characters, got " + maxChars);
        }
        if (text.length() <= maxChars) {
            return List.of(this);
        }
        List<Document> pieces = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int end = text.length() - start <= maxChars ? text.length() : cutPoint(start, start + maxChars);
            pieces.add(new Document(source + "@" + start, text.substring(start, end)));
            start = end;
        }
        return pieces;
    }

    /** Where the piece starting at {@code start} ends, given that it may not pass {@code limit}. */
    private int cutPoint(int start, int limit) {
        int paragraph = text.lastIndexOf("\n\n", limit - 2);
        if (paragraph >= start + (limit - start) / 2) {
            return paragraph + 2;
        }
        int line = text.lastIndexOf('\n', limit - 1);
        if (line >= start) {
            return line + 1;
        }
        boolean splitsPair = Character.isHighSurrogate(text.charAt(limit - 1))
                && Character.isLowSurrogate(text.charAt(limit));
        return splitsPair ? limit - 1 : limit;
    }
}
