package modej.tasks.experiment;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import modej.model.tokenizer.Tokenizer;
import modej.tasks.data.Corpus;
import modej.tasks.data.CorpusText;
import modej.tasks.data.DomainData;
import modej.tasks.data.HeldOutSplit;
import modej.tasks.data.Overlap;

/**
 * An experiment's domains, loaded and checked before any training: every source and test source
 * read (readable, non-empty, parsed), split by the same rule the backbone was pretrained with, and
 * the overlap of each domain's evaluation part with every training stream measured.
 *
 * <p>Each domain holds out {@code min(evaluation.validation, the backbone's held-out fraction)} of
 * its chunks by content hash ({@link HeldOutSplit}). Since a smaller fraction holds out a subset of
 * what a larger one does, a held-out chunk identical to a chunk of the backbone's corpus lies in the
 * backbone's held-out part: the backbone never trained on it. The overlaps are measured anyway, as a
 * proof, and must be 0 unless the domain sets {@code allowOverlap} (a test source may repeat
 * training text; an old checkpoint may not record its split).
 *
 * @param data      the domains' token streams and chunks
 * @param split     the rule every domain's source was split by
 * @param overlaps  per domain, per training stream ({@value #BACKBONE} or a training domain's name):
 *                  evaluated chunks also in that stream
 * @param backbone  what the backbone trained on
 * @param unchecked why the overlap with the backbone's corpus could not be measured, or null
 */
record ExperimentData(DomainData data, HeldOutSplit split, Map<String, Map<String, Overlap>> overlaps,
                      BackboneCorpus backbone, String unchecked) {

    /** The name of the backbone's pretraining stream in {@link #overlaps}. */
    static final String BACKBONE = "backbone";

    /**
     * Reads, splits and checks the domains of {@code config} (with its sequence length resolved),
     * tokenised by the backbone's {@code tokenizer}.
     */
    static ExperimentData load(ExperimentConfig config, BackboneCorpus backbone, Tokenizer tokenizer, PrintStream log) {
        Map<String, CorpusText> read = new HashMap<>();
        Set<String> backboneTrained = null;
        String unchecked = null;
        if (backbone.spec() == null) {
            unchecked = "the backbone checkpoint does not record its corpus (modej.corpus)";
        } else {
            try {
                CorpusText text = read.computeIfAbsent(backbone.spec(), Corpus::read).requireDocuments(backbone.spec());
                backboneTrained = Overlap.texts(backbone.trained(text));
            } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
                if (backbone.key().equals("backbone.pretrain.corpus")) {
                    throw new IllegalArgumentException(backbone.key() + ": " + e.getMessage(), e);
                }
                unchecked = "the backbone's corpus " + backbone.spec() + " cannot be read here (" + e.getMessage() + ")";
            }
        }
        HeldOutSplit split = new HeldOutSplit(config.evaluation().validation(), backbone.chunkChars());
        if (backbone.split() != null) {
            split = split.atMost(backbone.split().fraction());
        }
        List<DomainData.Source> sources = new ArrayList<>();
        config.domains().forEach((name, d) -> sources.add(new DomainData.Source(name, d.source(), d.test())));
        DomainData data = DomainData.load(sources, split, spec -> read.computeIfAbsent(spec, Corpus::read), "domains.",
                tokenizer);

        Map<String, Set<String>> streams = new LinkedHashMap<>();
        if (backboneTrained != null) {
            streams.put(BACKBONE, backboneTrained);
        }
        // every domain a run trains on: those that train, and the English one when a method mixes it in (retentionWeight)
        for (String name : config.trainedByAnyRun()) {
            streams.put(name, Overlap.texts(data.trainChunks(name)));
        }
        Map<String, Map<String, Overlap>> overlaps = new LinkedHashMap<>();
        for (String name : data.names()) {
            Map<String, Overlap> per = new LinkedHashMap<>();
            streams.forEach((stream, texts) -> per.put(stream, Overlap.of(data.evaluationChunks(name), texts)));
            overlaps.put(name, per);
            for (var e : per.entrySet()) {
                if (e.getValue().any() && !config.domains().get(name).overlapAllowed()) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT, "domains.%s: %,d of the %,d chunks it is "
                            + "evaluated on (%,d tokens) are also in %s; evaluation text must be unseen. Remove them, or "
                            + "set domains.%s.allowOverlap: true if this is intended", name, e.getValue().chunks(),
                            data.evaluationChunks(name).size(), e.getValue().tokens(), streamName(e.getKey(), backbone),
                            name));
                }
            }
        }
        data.describe().forEach(line -> log.println("data: " + line));
        if (unchecked != null) {
            log.println("data: warning: overlap with the backbone's pretraining not checked: " + unchecked);
        }
        return new ExperimentData(data, split, overlaps, backbone, unchecked);
    }

    private static String streamName(String stream, BackboneCorpus backbone) {
        return stream.equals(BACKBONE) ? "the backbone's pretraining data (" + backbone.spec() + ")"
                : "the training part of domain " + stream;
    }

    /** Every domain must hold one evaluation window, and every training domain one training window. */
    void checkSizes(ExperimentConfig config) {
        int window = config.budget().seq() + 1;
        for (String d : data.names()) {
            int held = data.get(d).validation().length, train = data.get(d).train().length;
            if (held < window) {
                throw new IllegalArgumentException("domains." + d + ": the evaluation part has " + held
                        + " tokens, fewer than one window of " + window + "; "
                        + (data.test(d) != null ? "use a larger test source" : "raise evaluation.validation")
                        + " or lower budget.seq");
            }
            if (config.trainedByAnyRun().contains(d) && train < window) {
                throw new IllegalArgumentException("domains." + d + ": the training split has " + train
                        + " tokens, fewer than one window of " + window + "; use a larger corpus or lower budget.seq");
            }
        }
    }
}
