package modej.tasks.data;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How much of an evaluation part a training stream also holds: the evaluated chunks whose text is
 * identical to a chunk of the training stream (both cut by the same {@link HeldOutSplit} chunking),
 * and their tokens (UTF-8 bytes: byte tokens).
 *
 * @param chunks evaluated chunks also in the training stream
 * @param tokens their tokens
 */
public record Overlap(int chunks, long tokens) {

    /** No overlap. */
    public static final Overlap NONE = new Overlap(0, 0);

    /** The texts of a training stream's chunks, to look evaluated chunks up in. */
    public static Set<String> texts(List<Document> trained) {
        Set<String> texts = new HashSet<>(trained.size() * 2);
        trained.forEach(d -> texts.add(d.text()));
        return texts;
    }

    /** The chunks of {@code evaluated} whose text is in {@code trained}. */
    public static Overlap of(List<Document> evaluated, Set<String> trained) {
        int chunks = 0;
        long tokens = 0;
        for (Document d : evaluated) {
            if (trained.contains(d.text())) {
                chunks++;
                tokens += d.text().getBytes(StandardCharsets.UTF_8).length;
            }
        }
        return new Overlap(chunks, tokens);
    }

    /** Whether anything overlaps. */
    public boolean any() {
        return chunks > 0;
    }
}
