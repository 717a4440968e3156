package modej.tasks.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import modej.tasks.data.Corpus;
import modej.tasks.data.CorpusText;
import modej.tasks.data.DomainData;
import modej.tasks.data.HeldOutSplit;
import modej.tasks.data.Overlap;

/**
 * What data an experiment's runs used, as written to {@code OUT/data.json} when the domains are
 * first loaded and printed in the report: per domain the token counts, a fingerprint of the token
 * streams, what was left out and why, where built-in corpora came from, and how much of its
 * evaluation part each training stream also holds (must be 0 unless the file allows it); the rule
 * that split every source; and the corpus the backbone was pretrained on. A later call that loads
 * the domains again compares the fingerprints, so finished runs are never mixed with runs trained
 * on changed data.
 *
 * @param domains   per domain, in the experiment file's order
 * @param backbone  the backbone checkpoint's corpus metadata ({@code modej.corpus*} keys); empty
 *                  when the checkpoint has none
 * @param split     the rule every domain's source was split by ({@link HeldOutSplit#text()})
 * @param unchecked why the overlap with the backbone's pretraining could not be measured, or null
 *                  when it was
 */
public record DataFacts(Map<String, Domain> domains, Map<String, String> backbone, String split, String unchecked) {

    /**
     * One domain's data.
     *
     * @param source           the corpus spec trained on, or null for a test-only domain
     * @param weight           share of the mixed training batches
     * @param documents        documents read from the source, before chunking and splitting
     * @param trainTokens      tokens in the training split
     * @param validationTokens tokens in the evaluation part: the source's held-out split, or the test source
     * @param fingerprint      first 16 hex digits of SHA-256 over both token streams
     * @param skipped          items read but left out, by reason
     * @param builtIn          where built-in corpora came from (Maven coordinates or generator,
     *                         the file read, SHA-256 of the documents); empty for files on disk
     * @param test             the test source evaluated instead of the held-out split, or null
     * @param testDocuments    documents read from the test source (0 without one)
     * @param overlap          per training stream ({@code backbone}: its pretraining; otherwise a
     *                         training domain's training split), the evaluated chunks also in it
     */
    public record Domain(String source, double weight, int documents, int trainTokens, int validationTokens,
                         String fingerprint, Map<String, Integer> skipped, List<CorpusText.Provenance> builtIn,
                         String test, int testDocuments, Map<String, Overlap> overlap) {
    }

    /** The facts of {@code loaded}, loaded for {@code config}'s domains. */
    static DataFacts of(ExperimentConfig config, ExperimentData loaded, Map<String, String> backboneMetadata) {
        DomainData data = loaded.data();
        Map<String, Domain> domains = new LinkedHashMap<>();
        config.domains().forEach((name, spec) -> {
            Corpus.Tokens t = data.get(name);
            domains.put(name, new Domain(spec.source(), spec.weight(), t.documents(), t.train().length, t.validation().length,
                    t.fingerprint(), t.skipped(), t.sources(), spec.test(), data.testDocuments(name),
                    loaded.overlaps().getOrDefault(name, Map.of())));
        });
        Map<String, String> backbone = new LinkedHashMap<>();
        backboneMetadata.forEach((key, value) -> {
            if (key.startsWith("modej.corpus")) {
                backbone.put(key, value);
            }
        });
        return new DataFacts(domains, backbone, loaded.split().text(), loaded.unchecked());
    }

    /** The domains whose token streams differ from {@code other}'s, or that only one of the two has. */
    List<String> changedFrom(DataFacts other) {
        List<String> changed = new ArrayList<>();
        domains.forEach((name, d) -> {
            Domain o = other.domains.get(name);
            if (o == null || !o.fingerprint().equals(d.fingerprint())) {
                changed.add(name);
            }
        });
        other.domains.keySet().stream().filter(name -> !domains.containsKey(name)).forEach(changed::add);
        return changed;
    }

    /** The facts in {@code file}, or null when there is no such file. */
    static DataFacts readIfPresent(Path file) {
        if (!Files.exists(file)) {
            return null;
        }
        try {
            return ExperimentFile.json().readValue(file.toFile(), DataFacts.class);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not a readable data record (" + e.getMessage().lines().findFirst()
                    .orElse("") + "); delete it and it is written again from the domains");
        }
    }

    /** Writes the facts to {@code file} atomically. */
    void write(Path file) throws IOException {
        ExperimentFile.writeJson(file, this);
    }
}
