package modej.tasks.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import modej.engine.jvm.JvmBackend;
import modej.model.mode.ModeModel;
import modej.model.gpt.GptConfig;
import modej.model.gpt.GptParams;
import modej.model.mode.GateConfig;
import modej.model.mode.ModeConfig;
import modej.model.mode.ModeParams;
import modej.tasks.data.MathAnswerAccuracy;
import modej.tasks.data.MathProblems;

/** Math scoring through a real model: the counts it reports, and the token budget it picks. */
class MathScoringTest {

    static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** Problems that fit whole with {@code k} tokens to generate in {@code window}, counted here from the text. */
    static int fitting(List<MathAnswerAccuracy.Question> qs, int window, int k) {
        return (int) qs.stream().filter(q -> bytes(q.prompt()) <= window - k && bytes(q.solution()) <= k).count();
    }

    @Test
    void aRealModelIsScoredWithTheBudgetThatFitsTheMostProblems() {
        List<MathAnswerAccuracy.Question> qs = MathProblems.generate(5, 11).stream().map(MathAnswerAccuracy::question).toList();
        GptConfig cfg = new GptConfig(256, 320, 2, 2, 16, true);
        ModeParams params = new ModeParams(new GptParams(cfg).init(2), new ModeConfig(1, 1, List.of("math"),
                new GateConfig(0, 1f, true, 0f), "random"), 3);
        int window = 300;   // below the context: the window caps
        try (JvmBackend be = new JvmBackend(2, true, false)) {
            RunResult.MathScore s = MathScoring.of("math", qs, null, modej.model.tokenizer.ByteTokenizer.INSTANCE).score(new ModeModel("mode", params, false, false), be, window);
            assertEquals("math", s.domain());
            assertEquals(11, s.problems());
            assertEquals(300, s.window());
            int best = 0;
            for (int k = 1; k < window; k++) {
                best = Math.max(best, fitting(qs, window, k));
            }
            assertTrue(best > 0, "some problems fit in 300 bytes");
            assertEquals(best, s.fit(), "no budget lets more problems fit");
            assertEquals(best, fitting(qs, window, s.tokens()), "the fit reported is that of the budget used");
            assertTrue(s.correct() <= s.answered() && s.answered() <= s.problems(), s.toString());
            assertEquals(s.problems() - s.answered(), s.unanswered());
            assertEquals((double) s.correct() / s.problems(), s.accuracy());
        }
    }

    @Test
    void aGivenBudgetIsUsedAndCappedByTheWindow() {
        List<MathAnswerAccuracy.Question> qs = MathProblems.generate(6, 3).stream().map(MathAnswerAccuracy::question).toList();
        GptParams gpt = new GptParams(new GptConfig(256, 24, 1, 2, 16, true)).init(2);
        try (JvmBackend be = new JvmBackend(1, true, false)) {
            RunResult.MathScore s = MathScoring.of("math", qs, 5, modej.model.tokenizer.ByteTokenizer.INSTANCE).score(new modej.model.method.BackboneModel(gpt, false), be, 64);
            assertEquals(24, s.window(), "the model's context caps the window");
            assertEquals(5, s.tokens());
            assertEquals(0, s.fit(), "no question fits in 19 bytes");
            RunResult.MathScore capped = MathScoring.of("math", qs, 500, modej.model.tokenizer.ByteTokenizer.INSTANCE).score(new modej.model.method.BackboneModel(gpt, false), be, 24);
            assertEquals(23, capped.tokens(), "at least one token of question");
        }
    }

    @Test
    void bestTokensMaximisesTheProblemsThatFit() {
        // window 10: (prompt, solution) = (3,4) (5,5) (2,7) (8,1)
        int[] prompt = {3, 5, 2, 8}, solution = {4, 5, 7, 1};
        // k=4: (3,4) fits → 1; k=5: (3,4),(5,5) → 2; k=7: (3,4)? 3<=3 yes,(2,7) → 2 (and (5,5) no); k=1: (8,1) → 1
        assertEquals(7, MathScoring.bestTokens(prompt, solution, 10), "ties go to the larger budget");
        assertEquals(5, MathScoring.bestTokens(new int[]{20, 20}, new int[]{30, 30}, 10), "none fits: half the window");
    }
}
