package modej.tasks.experiment;

import java.util.List;

import modej.engine.device.Backend;
import modej.model.adapt.AdaptedModel;
import modej.model.gpt.Runner;
import modej.model.tokenizer.Tokenizer;
import modej.tasks.data.Document;
import modej.tasks.data.DomainData;
import modej.tasks.data.MathAnswerAccuracy;
import modej.tasks.generate.TextSampler;

/**
 * Final-answer accuracy on held-out math problems: the first {@code problems} documents of the math
 * domain's evaluation part (the same text next-token accuracy is measured on), each question
 * continued greedily by the model for {@code tokens} tokens and scored by {@link MathAnswerAccuracy}.
 */
final class MathScoring {

    private final String domain;
    private final List<Document> questions;
    private final int tokens;
    private final Tokenizer tokenizer;

    private MathScoring(String domain, List<Document> questions, int tokens, Tokenizer tokenizer) {
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
        List<Document> held = data.evaluationChunks(e.mathDomain());
        List<Document> questions = held.subList(0, Math.min(e.mathProblems(), held.size()));
        for (Document d : questions) {
            try {
                MathAnswerAccuracy.question(d);
            } catch (IllegalArgumentException x) {
                throw new IllegalArgumentException("evaluation.mathDomain: " + x.getMessage()
                        + "; set evaluation.mathDomain=none or evaluation.mathProblems=0");
            }
        }
        return new MathScoring(e.mathDomain(), List.copyOf(questions), e.mathTokens(), data.tokenizer());
    }

    /** Scores {@code model} with prompts and continuations in a window of {@code window} tokens. */
    RunResult.MathScore score(AdaptedModel model, Backend backend, int window) {
        Runner one = new Runner(model.graphs(1, window), backend, null);
        TextSampler sampler = new TextSampler(one, tokenizer, window);
        MathAnswerAccuracy.Result r = MathAnswerAccuracy.score(questions, prompt -> {
            String text = sampler.sample(prompt, tokens, 0f, 0, 0);
            return text.startsWith(prompt) ? text.substring(prompt.length()) : text;
        });
        return new RunResult.MathScore(domain, r.problems(), r.correct(), r.unanswered(), r.accuracy());
    }
}
