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
        Map<String, String> solutions = new HashMap<>();
        for (Document doc : test) {
            MathAnswerAccuracy.Question q = MathAnswerAccuracy.question(doc);
            solutions.put(q.prompt(), doc.text().substring(q.prompt().length()));
        }
        int[] calls = {0};
        // Right on even calls (the worked answer, then the start of another problem), wrong or
        // silent on odd ones.
        MathAnswerAccuracy.Result result = MathAnswerAccuracy.score(test, prompt -> {
            assertTrue(prompt.endsWith("?\n"), prompt);
            int call = calls[0]++;
            if (call % 2 == 0) {
                return solutions.get(prompt) + "\nNoah has 5 marbles.\n#### 5";
            }
            return call % 4 == 1 ? "She has 3 apples.\n#### 123456789\n" : "I am not sure.";
        });
        assertEquals(test.size(), result.problems());
        assertEquals((test.size() + 1) / 2, result.correct());
        assertEquals(test.size() / 4, result.unanswered());
        assertEquals((double) result.correct() / test.size(), result.accuracy());
        assertTrue(test.size() > 100, "test part " + test.size());
    }

    @Test
    void promptIsTheQuestionLine() {
        Document doc = new Document("d", "How many?\nIt is 2+3 = <<2+3=5>>5.\n#### 5");
        assertEquals(new MathAnswerAccuracy.Question("How many?\n", "5"), MathAnswerAccuracy.question(doc));
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
        assertEquals("3/4 correct (75.0%), 1 unanswered", new MathAnswerAccuracy.Result(4, 3, 1).toString());
        assertEquals(0, new MathAnswerAccuracy.Result(0, 0, 0).accuracy());
    }

    @Test
    void nonMathDocumentIsNamed() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> MathAnswerAccuracy.score(List.of(new Document("notes.txt:3", "just text\nno answer")), p -> ""));
        assertEquals("notes.txt:3: not a math problem (a question line, worked lines and '#### N')", e.getMessage());
    }
}
