package modej.tasks.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MathAnswerAccuracyTest {

    @Test
    void fakeGeneratorRightOnHalfScoresHalf() {
        List<Document> test = Split.of(MathProblems.generate(0, 2000), 0.8, 0.1, 0.1).test();
        List<MathAnswerAccuracy.Question> questions = test.stream().map(MathAnswerAccuracy::question).toList();
        Map<String, String> solutions = new HashMap<>();
        for (Document doc : test) {
            MathAnswerAccuracy.Question q = MathAnswerAccuracy.question(doc);
            solutions.put(q.prompt(), doc.text().substring(q.prompt().length()));
            assertEquals(doc.text(), q.prompt() + q.solution());
        }
        // Right on even prompts (the worked answer, then the start of another problem), wrong or
        // silent on odd ones; every third problem "fits".
        int[] fitCalls = {0};
        MathAnswerAccuracy.Result result = MathAnswerAccuracy.score(questions, q -> fitCalls[0]++ % 3 == 0, prompts -> {
            List<String> out = new java.util.ArrayList<>();
            for (int call = 0; call < prompts.size(); call++) {
                String prompt = prompts.get(call);
                assertTrue(prompt.endsWith("?\n"), prompt);
                out.add(call % 2 == 0 ? solutions.get(prompt) + "\nNoah has 5 marbles.\n#### 5"
                        : call % 4 == 1 ? "She has 3 apples.\n#### 123456789\n" : "I am not sure.");
            }
            return out;
        });
        assertEquals(test.size(), result.problems());
        assertEquals((test.size() + 2) / 3, result.fit());
        assertEquals((test.size() + 1) / 2, result.correct());
        assertEquals(test.size() / 4, result.unanswered());
        assertEquals(test.size() - test.size() / 4, result.answered());
        assertEquals((double) result.correct() / test.size(), result.accuracy());
        assertTrue(test.size() > 100, "test part " + test.size());
    }

    @Test
    void generatorThatWritesTheSolutionsScoresOne() {
        List<MathAnswerAccuracy.Question> questions = MathProblems.generate(4, 30).stream()
                .map(MathAnswerAccuracy::question).toList();
        MathAnswerAccuracy.Result result = MathAnswerAccuracy.score(questions, q -> true,
                prompts -> questions.stream().map(MathAnswerAccuracy.Question::solution).toList());
        assertEquals(new MathAnswerAccuracy.Result(30, 30, 30, 30), result);
        assertEquals(1.0, result.accuracy());
    }

    @Test
    void promptIsTheQuestionLine() {
        Document doc = new Document("d", "How many?\nIt is 2+3 = <<2+3=5>>5.\n#### 5");
        assertEquals(new MathAnswerAccuracy.Question("How many?\n", "It is 2+3 = <<2+3=5>>5.\n#### 5", "5"),
                MathAnswerAccuracy.question(doc));
    }

    @Test
    void anAnswerLineEndsAtTheNewlineAfterTheMarker() {
        assertFalse(MathAnswerAccuracy.answerLineEnded("It is 5.\n#### 5"));
        assertFalse(MathAnswerAccuracy.answerLineEnded("It is 5.\n"));
        assertTrue(MathAnswerAccuracy.answerLineEnded("It is 5.\n#### 5\n"));
    }

    @Test
    void answersCompareAsNumbers() {
        assertEquals(Optional.of("1,000"), MathAnswerAccuracy.finalAnswer("x\n#### 1,000\nmore"));
        assertTrue(MathAnswerAccuracy.sameNumber("1,000", "1000"));
        assertTrue(MathAnswerAccuracy.sameNumber("$18.", "18"));
        assertTrue(MathAnswerAccuracy.sameNumber("18.0", "18"));
        assertFalse(MathAnswerAccuracy.sameNumber("18", "81"));
        assertFalse(MathAnswerAccuracy.sameNumber("eighteen", "18"));
        assertEquals(Optional.empty(), MathAnswerAccuracy.finalAnswer("#### \n"));
        assertEquals(Optional.empty(), MathAnswerAccuracy.finalAnswer("no answer"));
    }

    @Test
    void resultReads() {
        assertEquals("3/4 correct (75.0%), 3 answered, 2 fit", new MathAnswerAccuracy.Result(4, 2, 3, 3).toString());
        assertEquals(1, new MathAnswerAccuracy.Result(4, 2, 3, 3).unanswered());
        assertEquals(0, new MathAnswerAccuracy.Result(0, 0, 0, 0).accuracy());
    }

    @Test
    void nonMathDocumentIsNamed() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> MathAnswerAccuracy.question(new Document("notes.txt:3", "just text\nno answer")));
        assertEquals("notes.txt:3: not a math problem (a question line, worked lines and '#### N')", e.getMessage());
    }
}
