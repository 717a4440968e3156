package modej.tasks.data;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Exact-match accuracy of final answers on GSM8K-style math documents (question line, worked lines,
 * {@code #### N}), as produced by {@link MathProblems} or read with
 * {@code jsonl:FILE?template={question}\n{answer}}.
 *
 * <p>Each document is cut after its first line: the prompt is the question and a newline, the
 * solution is the rest (worked lines and {@code #### N}), the expected answer is the number after
 * its {@code ####}. The generator's continuation is scored by the number after its first
 * {@code ####} (to the end of that line); answers compare as numbers after dropping commas, a
 * leading {@code $} and a trailing full stop, so {@code 1,000} matches {@code 1000}. A
 * continuation without {@code ####} and an answer counts as unanswered (and wrong).
 */
public final class MathAnswerAccuracy {

    /**
     * The outcome over a set of problems.
     *
     * @param problems problems asked
     * @param fit      problems whose whole question and reference solution fit what the model sees
     *                 and may generate (the rest had their question cut or too few tokens to answer)
     * @param answered continuations with a {@code ####} answer
     * @param correct  continuations whose final answer equals the expected one
     */
    public record Result(int problems, int fit, int answered, int correct) {

        /** {@code correct / problems}, 0 for no problems. */
        public double accuracy() {
            return problems == 0 ? 0 : (double) correct / problems;
        }

        /** Continuations with no {@code ####} answer. */
        public int unanswered() {
            return problems - answered;
        }

        /** E.g. {@code 42/100 correct (42.0%), 97 answered, 100 fit}. */
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "%d/%d correct (%.1f%%), %d answered, %d fit", correct, problems,
                    100 * accuracy(), answered, fit);
        }
    }

    /**
     * A document cut into what the model sees and what it should answer.
     *
     * @param prompt   the question line and a newline
     * @param solution the reference continuation: worked lines and {@code #### N}
     * @param answer   the expected final answer, as written after {@code ####}
     */
    public record Question(String prompt, String solution, String answer) {
    }

    private MathAnswerAccuracy() {
    }

    /**
     * Asks {@code generate} every question (all at once, so that it can batch them) and counts
     * answers and exact final answers.
     *
     * @param questions from {@link #question}
     * @param fits      whether a question and its solution fit the model's window whole
     * @param generate  prompts to greedy continuations, one per prompt in order
     */
    public static Result score(List<Question> questions, Predicate<Question> fits,
                               Function<List<String>, List<String>> generate) {
        List<String> given = generate.apply(questions.stream().map(Question::prompt).toList());
        if (given.size() != questions.size()) {
            throw new IllegalStateException(given.size() + " continuations for " + questions.size() + " prompts");
        }
        int fit = 0, answered = 0, correct = 0;
        for (int i = 0; i < questions.size(); i++) {
            Question q = questions.get(i);
            fit += fits.test(q) ? 1 : 0;
            Optional<String> answer = finalAnswer(given.get(i));
            if (answer.isPresent()) {
                answered++;
                correct += sameNumber(answer.get(), q.answer()) ? 1 : 0;
            }
        }
        return new Result(questions.size(), fit, answered, correct);
    }

    /** Whether a continuation is complete: it has a {@code ####} line that has ended. */
    public static boolean answerLineEnded(String continuation) {
        int mark = continuation.indexOf("####");
        return mark >= 0 && continuation.indexOf('\n', mark) >= 0;
    }

    /** Cuts a document after its first line; its answer is what follows its {@code ####}. */
    public static Question question(Document doc) {
        int newline = doc.text().indexOf('\n');
        Optional<String> answer = finalAnswer(doc.text());
        if (newline <= 0 || answer.isEmpty() || doc.text().indexOf("####") < newline) {
            throw new IllegalArgumentException(doc.source() + ": not a math problem (a question line, worked lines "
                    + "and '#### N')");
        }
        return new Question(doc.text().substring(0, newline + 1), doc.text().substring(newline + 1), answer.get());
    }

    /** The text after the first {@code ####} up to the end of its line, trimmed; empty if none. */
    public static Optional<String> finalAnswer(String text) {
        int mark = text.indexOf("####");
        if (mark < 0) {
            return Optional.empty();
        }
        int end = text.indexOf('\n', mark);
        String answer = text.substring(mark + 4, end < 0 ? text.length() : end).trim();
        return answer.isEmpty() ? Optional.empty() : Optional.of(answer);
    }

    /** Whether two answers are the same number (or, when either is not a number, the same text). */
    static boolean sameNumber(String a, String b) {
        String x = normalise(a);
        String y = normalise(b);
        try {
            return new BigDecimal(x).compareTo(new BigDecimal(y)) == 0;
        } catch (NumberFormatException e) {
            return x.equals(y);
        }
    }

    private static String normalise(String answer) {
        String s = answer.replace(",", "").trim();
        if (s.startsWith("$")) {
            s = s.substring(1);
        }
        if (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1);
        }
        return s.trim();
    }
}
