package modej.tasks.experiment;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * How runs are measured.
 *
 * @param evalBatches  evaluation batches per domain at most (default 32), their windows spread evenly
 *                     over the evaluation part; 0 = every window of the evaluation part. The report
 *                     states the tokens evaluated and the sampling error of each figure
 * @param validation   held-out fraction of each domain's source, by content hash (default 0.1); never
 *                     more than the backbone's pretraining held out, so that no evaluated text was
 *                     pretrained on (a smaller value is used when the backbone held out less)
 * @param batch        sequences per evaluation batch (default: the budget's batch)
 * @param lossEvery    the training loss is recorded as the mean over every N steps (default: steps / 50, at least 1)
 * @param mathDomain   the domain of GSM8K-style problems whose final answers are scored by greedy
 *                     decoding (default: {@code math} if there is such a domain; {@code none} for none)
 * @param mathProblems held-out problems to answer per run (default 20; 0 = none)
 * @param mathTokens   tokens generated per answer at most (default: the number that lets the most scored
 *                     problems fit whole, question and reference solution within budget.seq)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EvaluationSpec(Integer evalBatches, Double validation, Integer batch, Integer lossEvery,
                             String mathDomain, Integer mathProblems, Integer mathTokens) {

    /** Evaluation batches per domain by default: with batch 8 and seq 64, 16,384 tokens. */
    static final int DEFAULT_EVAL_BATCHES = 32;

    /** Every field at its default. */
    static final EvaluationSpec DEFAULT = new EvaluationSpec(null, null, null, null, null, null, null);

    public EvaluationSpec {
        evalBatches = ConfigValues.atLeast("evalBatches", evalBatches, DEFAULT_EVAL_BATCHES, 0);
        validation = validation == null ? 0.1 : validation;
        if (!(validation > 0 && validation < 1)) {
            throw new IllegalArgumentException("validation: must be in (0, 1), got " + validation);
        }
        if (batch != null) {
            ConfigValues.positive("batch", batch, 1);
        }
        if (lossEvery != null) {
            ConfigValues.positive("lossEvery", lossEvery, 1);
        }
        mathProblems = ConfigValues.atLeast("mathProblems", mathProblems, 20, 0);
        if (mathTokens != null) {
            ConfigValues.positive("mathTokens", mathTokens, 1);
        }
    }

    /** With the defaults that depend on the rest of the file. */
    EvaluationSpec resolved(Budget budget, boolean hasMathDomain) {
        String math = mathDomain != null ? mathDomain : hasMathDomain ? "math" : "none";
        return new EvaluationSpec(evalBatches, validation, batch != null ? batch : budget.batch(),
                lossEvery != null ? lossEvery : Math.max(1, budget.steps() / 50), math, mathProblems, mathTokens);
    }

    /** Whether final math answers are scored. */
    public boolean scoresMath() {
        return !"none".equals(mathDomain) && mathProblems > 0;
    }
}
