package modej.tasks.experiment;

import java.util.List;

import modej.engine.device.Backend;
import modej.model.method.AdaptedModel;
import modej.model.gpt.DecodeRunner;
import modej.model.tokenizer.Tokenizer;
import modej.tasks.data.Document;
import modej.tasks.data.DomainData;
import modej.tasks.data.MathAnswerAccuracy;
import modej.tasks.generate.TextSampler;

/**
 * Final-answer accuracy on held-out math problems: the first {@code problems} documents of the math
 * domain's evaluation part (the same text next-token accuracy is measured on), each question cut
 * from the left to fit the window beside the tokens to generate, continued greedily with key/value
 * caches until its {@code ####} line ends or the tokens run out, and scored by
 * {@link MathAnswerAccuracy}. The tokens to generate are {@code evaluation.mathTokens}, or by
 * default the number that lets the most problems fit whole (question and reference solution
 * within the window).
 */
final class MathScoring {

    /** Problems decoded at once, one per decoder row. */
    static final int BATCH = 8;

    private final String domain;
    private final List<MathAnswerAccuracy.Question> questions;
    private final Integer tokens;
    private final Tokenizer tokenizer;

    private MathScoring(String domain, List<MathAnswerAccuracy.Question> questions, Integer tokens, Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
        this.domain = domain;
        this.questions = questions;
        this.tokens = tokens;
    }

    /**
     * The questions of the config's math domain, from its evaluation part (the held-out split, or
     * the test source); fails naming the key when its documents are not problems.
     */
    static MathScoring of(ExperimentConfig config, DomainData data) {
        EvaluationSpec e = config.evaluation();
        if (e.mathTokens() != null && e.mathTokens() >= config.budget().seq()) {
            throw new IllegalArgumentException("evaluation.mathTokens: " + e.mathTokens() + " leaves no room for a question "
                    + "in the window of budget.seq = " + config.budget().seq() + " tokens; lower it or leave it out (default: "
                    + "what the held-out problems need)");
        }
        List<Document> held = data.evaluationChunks(e.mathDomain());
        List<Document> docs = held.subList(0, Math.min(e.mathProblems(), held.size()));
        List<MathAnswerAccuracy.Question> questions = docs.stream().map(d -> {
            try {
                return MathAnswerAccuracy.question(d);
            } catch (IllegalArgumentException x) {
                throw new IllegalArgumentException("evaluation.mathDomain: " + x.getMessage()
                        + "; set evaluation.mathDomain=none or evaluation.mathProblems=0");
            }
        }).toList();
        return new MathScoring(e.mathDomain(), questions, e.mathTokens(), data.tokenizer());
    }

    /** Scoring of {@code questions} as given (for tests); {@code tokens} null for the default. */
    static MathScoring of(String domain, List<MathAnswerAccuracy.Question> questions, Integer tokens, Tokenizer tokenizer) {
        return new MathScoring(domain, List.copyOf(questions), tokens, tokenizer);
    }

    /** Scores {@code model} with prompts and continuations in a window of {@code window} tokens (capped by its context). */
    RunResult.MathScore score(AdaptedModel model, Backend backend, int window) {
        int w = Math.min(window, model.backbone().config().context());
        TextSampler sampler = new TextSampler(new DecodeRunner(model.decoder(BATCH), backend), tokenizer);
        int[] prompt = questions.stream().mapToInt(q -> sampler.tokenCount(q.prompt())).toArray();
        int[] solution = questions.stream().mapToInt(q -> sampler.tokenCount(q.solution())).toArray();
        int k = tokens != null ? Math.min(tokens, w - 1) : bestTokens(prompt, solution, w);
        int limit = w - k;
        MathAnswerAccuracy.Result r = MathAnswerAccuracy.score(questions,
                q -> fits(prompt[questions.indexOf(q)], solution[questions.indexOf(q)], limit, k),
                prompts -> sampler.greedy(prompts, limit, k, MathAnswerAccuracy::answerLineEnded));
        return new RunResult.MathScore(domain, r.problems(), r.fit(), r.answered(), r.correct(), r.unanswered(),
                r.accuracy(), k, w);
    }

    /** Whether a problem fits whole: its question within the prompt limit, its solution within the tokens generated. */
    static boolean fits(int prompt, int solution, int promptLimit, int tokens) {
        return prompt <= promptLimit && solution <= tokens;
    }

    /**
     * The tokens to generate that let the most problems fit whole in a window of {@code window}
     * (ties: the larger); the candidates are the solutions' lengths below the window. When none
     * fits, half the window.
     */
    static int bestTokens(int[] prompt, int[] solution, int window) {
        int best = Math.max(1, window / 2), most = 0;
        for (int k : solution) {
            if (k < 1 || k >= window) {
                continue;
            }
            int fit = 0;
            for (int i = 0; i < prompt.length; i++) {
                fit += fits(prompt[i], solution[i], window - k, k) ? 1 : 0;
            }
            if (fit > most || (fit == most && fit > 0 && k > best)) {
                most = fit;
                best = k;
            }
        }
        return best;
    }
}
