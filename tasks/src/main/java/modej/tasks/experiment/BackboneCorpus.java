package modej.tasks.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import modej.tasks.data.CorpusText;
import modej.tasks.data.Document;
import modej.tasks.data.HeldOutSplit;
import modej.tasks.data.Split;

/**
 * What the backbone read in pretraining and which part of it it trained on: from the experiment's
 * {@code backbone.pretrain} section (known before pretraining starts) or from a checkpoint's
 * metadata ({@code modej.corpus}, {@code modej.corpus.split}), so that an experiment can evaluate
 * on text the backbone never trained on and prove it.
 *
 * @param spec    the corpus spec, or null when the checkpoint does not record one
 * @param split   the rule that held part of it out, or null when the checkpoint does not record it
 *                (then every chunk of the corpus counts as trained on)
 * @param key     the experiment file's key that names the backbone, for messages
 */
record BackboneCorpus(String spec, HeldOutSplit split, String key) {

    /** The corpus {@code backbone.pretrain} will pretrain on. */
    static BackboneCorpus of(PretrainSpec p) {
        return new BackboneCorpus(p.corpus(), HeldOutSplit.of(p.validation()), "backbone.pretrain.corpus");
    }

    /** The corpus a checkpoint records; a malformed split record is a one-line error. */
    static BackboneCorpus of(Map<String, String> metadata) {
        String split = metadata.get(HeldOutSplit.KEY);
        try {
            return new BackboneCorpus(metadata.get("modej.corpus"), split == null ? null : HeldOutSplit.parse(split),
                    "backbone.checkpoint");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("backbone.checkpoint: " + e.getMessage());
        }
    }

    /** The chunks of {@code text} (this corpus, read) that pretraining trained on. */
    List<Document> trained(CorpusText text) {
        if (split != null) {
            return split.apply(text.documents()).train();
        }
        List<Document> all = new ArrayList<>(); // split unknown: every chunk counts as trained on
        text.documents().forEach(d -> all.addAll(d.chunks(chunkChars())));
        return all;
    }

    /** The chunk size the backbone's split used ({@link Split#DEFAULT_CHUNK_CHARS} when unknown). */
    int chunkChars() {
        return split != null ? split.chunkChars() : Split.DEFAULT_CHUNK_CHARS;
    }

    /** One line for the report: what the backbone trained on. */
    String describe() {
        if (spec == null) {
            return "not recorded in the checkpoint";
        }
        return "`" + spec + "`, " + (split == null ? "split not recorded (every chunk counted as trained on)"
                : "held out " + split.fraction() + " of its chunks by content hash (" + split.text() + ")");
    }
}
