package modej.tasks.data;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The documents a corpus spec names, what was read but left out and why, and where built-in
 * corpora came from, so that a report can say exactly what a model was trained on.
 *
 * @param documents the documents, in order
 * @param skipped   for each reason (e.g. {@code empty entries}), how many items were left out for it
 * @param sources   where each built-in part came from; empty for files on disk
 */
public record CorpusText(List<Document> documents, Map<String, Integer> skipped, List<Provenance> sources) {

    /**
     * Where a built-in corpus came from.
     *
     * @param corpus      the built-in name, e.g. {@code code}
     * @param coordinates Maven coordinates ({@code group:artifact:version:classifier}) or, for
     *                    generated text, the generator and its settings
     * @param location    the jar read, or {@code generated}
     * @param sha256      SHA-256 of the documents read from it, see {@link #sha256(List)}
     */
    public record Provenance(String corpus, String coordinates, String location, String sha256) {
    }

    /** Copies the parts into unmodifiable collections (the skip reasons keep their order). */
    public CorpusText {
        documents = List.copyOf(documents);
        skipped = Collections.unmodifiableMap(new LinkedHashMap<>(skipped));
        sources = List.copyOf(sources);
    }

    /** Documents read from disk or generated, with nothing skipped and no provenance. */
    public static CorpusText of(List<Document> documents) {
        return new CorpusText(documents, Map.of(), List.of());
    }

    /** Total items left out, over all reasons. */
    public int skippedCount() {
        return skipped.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** E.g. {@code empty entries: 3, blank lines: 1}, or {@code none}. */
    public String skippedSummary() {
        return skippedSummary(skipped);
    }

    /** Skip counts by reason as {@code empty entries: 3, blank lines: 1}, or {@code none}. */
    public static String skippedSummary(Map<String, Integer> skipped) {
        if (skipped.isEmpty()) {
            return "none";
        }
        StringJoiner text = new StringJoiner(", ");
        skipped.forEach((reason, count) -> text.add(reason + ": " + count));
        return text.toString();
    }

    /** This text with another's documents, skip counts and provenance appended. */
    public CorpusText plus(CorpusText other) {
        List<Document> docs = new ArrayList<>(documents);
        docs.addAll(other.documents);
        Map<String, Integer> reasons = new LinkedHashMap<>(skipped);
        other.skipped.forEach((reason, count) -> reasons.merge(reason, count, Integer::sum));
        List<Provenance> origins = new ArrayList<>(sources);
        origins.addAll(other.sources);
        return new CorpusText(docs, reasons, origins);
    }

    /**
     * Fails when there are no documents.
     *
     * @throws IllegalArgumentException "corpus SPEC is empty", with the skip counts when any
     */
    public CorpusText requireDocuments(String spec) {
        if (documents.isEmpty()) {
            throw new IllegalArgumentException("corpus " + spec + " is empty"
                    + (skipped.isEmpty() ? "" : " (skipped: " + skippedSummary() + ")"));
        }
        return this;
    }

    /**
     * SHA-256 (hex) over each document's source name and text, each as its UTF-8 byte count (4
     * bytes, big-endian) followed by the bytes, in order.
     */
    public static String sha256(List<Document> documents) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
        for (Document doc : documents) {
            for (String part : new String[]{doc.source(), doc.text()}) {
                byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
                digest.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
                digest.update(bytes);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
