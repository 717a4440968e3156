package modej.tasks.experiment;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One domain: the corpus it trains on, the text it is evaluated on, and its share of the mixed
 * training data. Written as a section ({@code {source: code, weight: 2}},
 * {@code {source: "math?count=3000", test: "jsonl:gsm8k-test.jsonl?template=..."}}, {@code {test: notes/*.txt}})
 * or, with the default weight, as the source alone ({@code code}).
 *
 * @param source       a corpus spec, as {@code --data NAME=SPEC} takes: a built-in corpus ({@code code},
 *                     {@code english}, {@code math?count=..&seed=..}), a file, folder or glob,
 *                     {@code jsonl:FILE?template=..} or {@code zip:FILE?ext=..}; split by content hash
 *                     into a training part and a held-out part. Null for a test-only domain
 * @param test         a corpus spec evaluated whole instead of the source's held-out part: never
 *                     trained on, never split, never given an expert. Null to evaluate the held-out part
 * @param weight       share of the mixed batches (stage 2 of MoDE, full fine-tuning, LoRA); default 1,
 *                     except 0 for the English domain, which is held out to measure retention, and for
 *                     a test-only domain, which must be 0; 0 = not mixed in and no MoDE expert
 * @param allowOverlap true to accept an evaluation part that shares text with a training stream (the
 *                     backbone's pretraining or a domain's training part); otherwise such an overlap
 *                     is an error before any training (default false)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"source", "test", "weight", "allowOverlap"})
public record DomainSpec(String source, String test, Double weight, Boolean allowOverlap) {

    @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
    public DomainSpec {
        if ((source == null || source.isBlank()) && (test == null || test.isBlank())) {
            throw new IllegalArgumentException("source: required (a corpus spec, e.g. code or notes/*.txt), "
                    + "or test: a corpus evaluated only");
        }
        if (source != null && source.isBlank()) {
            throw new IllegalArgumentException("source: empty; give a corpus spec or leave the key out for a test-only domain");
        }
        if (test != null && test.isBlank()) {
            throw new IllegalArgumentException("test: empty; give a corpus spec or leave the key out");
        }
        if (weight != null && !(weight >= 0 && Double.isFinite(weight))) {
            throw new IllegalArgumentException("weight: must be >= 0, got " + weight);
        }
        if (source == null && weight != null && weight > 0) {
            throw new IllegalArgumentException("weight: " + weight + " on a test-only domain (no source), which is "
                    + "evaluated only; give it a source to train on, or leave the weight out");
        }
    }

    /** The short form: the source alone, weight by default. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static DomainSpec of(String source) {
        return new DomainSpec(source, null, null, null);
    }

    /** Whether the domain trains: it has a source and a weight above 0 (call on a resolved spec). */
    public boolean trains() {
        return source != null && weight != null && weight > 0;
    }

    /** Whether an overlap of its evaluation part with a training stream is accepted. */
    public boolean overlapAllowed() {
        return allowOverlap != null && allowOverlap;
    }

    DomainSpec withWeight(double w) {
        return new DomainSpec(source, test, w, allowOverlap);
    }
}
