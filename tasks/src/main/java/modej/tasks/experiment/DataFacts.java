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

/**
 * What data an experiment's runs used, as written to {@code OUT/data.json} when the domains are
 * first loaded and printed in the report: per domain the token counts, a fingerprint of the token
 * streams, what was left out and why, and where built-in corpora came from; and the corpus the
 * backbone was pretrained on. A later call that loads the domains again compares the fingerprints,
 * so finished runs are never mixed with runs trained on changed data.
 *
 * @param domains  per domain, in the experiment file's order
 * @param backbone the backbone checkpoint's corpus metadata ({@code modej.corpus*} keys); empty
 *                 when the checkpoint has none
 */
public record DataFacts(Map<String, Domain> domains, Map<String, String> backbone) {

    /**
     * One domain's data.
     *
     * @param source           the corpus spec
     * @param weight           share of the mixed training batches
     * @param documents        documents read, before chunking and splitting
     * @param trainTokens      tokens in the training split
     * @param validationTokens tokens in the held-out split (evaluation)
     * @param fingerprint      first 16 hex digits of SHA-256 over both token streams
     * @param skipped          items read but left out, by reason
     * @param builtIn          where built-in corpora came from (Maven coordinates or generator,
     *                         the file read, SHA-256 of the documents); empty for files on disk
     */
    public record Domain(String source, double weight, int documents, int trainTokens, int validationTokens,
                         String fingerprint, Map<String, Integer> skipped, List<CorpusText.Provenance> builtIn) {
    }

    /** The facts of {@code data}, loaded for {@code config}'s domains. */
    static DataFacts of(ExperimentConfig config, DomainData data, Map<String, String> backboneMetadata) {
        Map<String, Domain> domains = new LinkedHashMap<>();
        config.domains().forEach((name, spec) -> {
            Corpus.Tokens t = data.get(name);
            domains.put(name, new Domain(spec.source(), spec.weight(), t.documents(), t.train().length, t.validation().length,
                    t.fingerprint(), t.skipped(), t.sources()));
        });
        Map<String, String> backbone = new LinkedHashMap<>();
        backboneMetadata.forEach((key, value) -> {
            if (key.startsWith("modej.corpus")) {
                backbone.put(key, value);
            }
        });
        return new DataFacts(domains, backbone);
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
