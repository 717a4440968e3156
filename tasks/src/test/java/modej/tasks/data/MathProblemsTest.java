package modej.tasks.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class MathProblemsTest {

    /** A calculator note: {@code <<a op b=c>>} followed by c as written in the line. */
    private static final Pattern NOTE = Pattern.compile("<<(\\d+)([-+*/])(\\d+)=(\\d+)>>(\\d+)");
    private static final Pattern NUMBER = Pattern.compile("\\d+");
    /** Numbers a question may give in words. */
    private static final Map<String, Long> WORD_NUMBERS = Map.of("twice", 2L, "half", 2L, "third", 3L,
            "quarter", 4L, "fifth", 5L);

    /**
     * Recomputes a solution from scratch: every line but the last holds one note whose result is
     * right, whole and not negative, whose operands come from the question (as digits or words)
     * or from earlier results, and whose written result matches; the last line is {@code #### N}
     * with N the last result. Returns the number of steps.
     */
    static int verify(String text) {
        String[] lines = text.split("\n", -1);
        String question = lines[0];
        Set<Long> known = new HashSet<>();
        Matcher digits = NUMBER.matcher(question);
        while (digits.find()) {
            known.add(Long.parseLong(digits.group()));
        }
        WORD_NUMBERS.forEach((word, n) -> {
            if (question.toLowerCase(Locale.ROOT).contains(word)) {
                known.add(n);
            }
        });
        long last = -1;
        for (int i = 1; i < lines.length - 1; i++) {
            Matcher note = NOTE.matcher(lines[i]);
            assertTrue(note.find(), "line " + i + " has no note: " + text);
            long a = Long.parseLong(note.group(1)), b = Long.parseLong(note.group(3));
            long c = Long.parseLong(note.group(4));
            assertTrue(known.contains(a) && known.contains(b), "operand from nowhere in line " + i + ": " + text);
            long expected = switch (note.group(2)) {
                case "+" -> a + b;
                case "-" -> a - b;
                case "*" -> a * b;
                default -> {
                    assertEquals(0, a % b, "inexact division: " + text);
                    yield a / b;
                }
            };
            assertEquals(expected, c, "wrong note in line " + i + ": " + text);
            assertTrue(c >= 0, text);
            assertEquals(c, Long.parseLong(note.group(5)), "written result differs: " + text);
            assertTrue(lines[i].contains(a + note.group(2) + b + " = "), "note not shown in the text: " + text);
            assertTrue(!note.find(), "two notes in line " + i + ": " + text);
            known.add(c);
            last = c;
        }
        assertEquals("#### " + last, lines[lines.length - 1], text);
        return lines.length - 2;
    }

    @Test
    void everyAnswerRecomputes() {
        Map<Integer, Integer> stepCounts = new TreeMap<>();
        Set<String> openings = new HashSet<>();
        for (int i = 0; i < 20_000; i++) {
            MathProblems.Problem problem = MathProblems.problem(0, i);
            int steps = verify(problem.text());
            stepCounts.merge(steps, 1, Integer::sum);
            assertEquals("#### " + problem.answer(), problem.solution().substring(problem.solution().lastIndexOf('\n') + 1));
            assertTrue(!problem.question().contains("\n") && problem.question().endsWith("?"), problem.question());
            openings.add(problem.question().split(" ")[1]);
        }
        assertEquals(Set.of(2, 3, 4), stepCounts.keySet(), stepCounts.toString());
        stepCounts.values().forEach(n -> assertTrue(n > 1000, stepCounts.toString()));
        assertTrue(openings.size() >= 10, "few templates: " + openings);
    }

    @Test
    void otherSeedsRecomputeToo() {
        for (long seed = 1; seed < 50; seed++) {
            for (int i = 0; i < 200; i++) {
                verify(MathProblems.problem(seed, i).text());
            }
        }
    }

    @Test
    void verifierCatchesAWrongAnswer() {
        String good = MathProblems.problem(0, 3).text();
        verify(good);
        String wrong = good.substring(0, good.lastIndexOf("#### ")) + "#### 99999";
        assertThrows(AssertionError.class, () -> verify(wrong));
        String badNote = good.replaceFirst("=(\\d+)>>", "=1$1>>");
        assertThrows(AssertionError.class, () -> verify(badNote));
    }

    private static void assertThrows(Class<? extends Throwable> type, Runnable run) {
        org.junit.jupiter.api.Assertions.assertThrows(type, run::run);
    }

    @Test
    void deterministicPerSeedAndIndex() {
        List<Document> a = MathProblems.generate(7, 300);
        assertEquals(a, MathProblems.generate(7, 300));
        assertEquals(a.subList(0, 100), MathProblems.generate(7, 100));
        assertNotEquals(a, MathProblems.generate(8, 300));
        assertEquals("math:seed=7#12", a.get(12).source());
        assertEquals(MathProblems.problem(7, 12).text(), a.get(12).text());
        // Pinned, so that a change to a template shows up (and MathProblems.VERSION gets bumped).
        assertEquals("""
                Liam buys 3 plants for $8 each and 4 books for $10 each. How much does Liam spend in all?
                The plants cost 3*8 = $<<3*8=24>>24.
                The books cost 4*10 = $<<4*10=40>>40.
                In all he spends 24+40 = $<<24+40=64>>64.
                #### 64""", MathProblems.problem(0, 0).text());
    }

    @Test
    void mostProblemsDiffer() {
        List<Document> docs = MathProblems.generate(0, 20_000);
        long distinct = docs.stream().map(Document::text).distinct().count();
        assertTrue(distinct > 19_000, distinct + " distinct problems");
    }
}
