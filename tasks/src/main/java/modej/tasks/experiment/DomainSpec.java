package modej.tasks.experiment;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One domain: its corpus and its share of the mixed training data. Written as a section
 * ({@code {source: code, weight: 2}}) or, with the default weight, as the source alone ({@code code}).
 *
 * @param source a corpus spec, as {@code --data NAME=SPEC} takes: a built-in corpus ({@code code},
 *               {@code english}, {@code math?count=..&seed=..}), a file, folder or glob,
 *               {@code jsonl:FILE?template=..} or {@code zip:FILE?ext=..}
 * @param weight share of the mixed batches (stage 2 of MoDE, full fine-tuning, LoRA); default 1,
 *               except 0 for the English domain, which is held out to measure retention; 0 = not mixed in
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DomainSpec(String source, Double weight) {

    @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
    public DomainSpec {
        if (source == null || source.isBlank()) {
            throw new IllegalArgumentException("source: required (a corpus spec, e.g. code or notes/*.txt)");
        }
        if (weight != null && !(weight >= 0 && Double.isFinite(weight))) {
            throw new IllegalArgumentException("weight: must be >= 0, got " + weight);
        }
    }

    /** The short form: the source alone, weight by default. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static DomainSpec of(String source) {
        return new DomainSpec(source, null);
    }

    DomainSpec withWeight(double w) {
        return new DomainSpec(source, w);
    }
}
