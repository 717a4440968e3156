package modej.tasks.data;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Exact-match accuracy of final answers on GSM8K-style math documents (question line, worked lines,
 * {@code #### N}), as produced by {@link MathProblems} or read with
 * {@code jsonl:FILE?template={question}\n{answer}}.
 *
 * <p>Each document is cut after its first line: the prompt is the question and a newline, the
 * expected answer is the number after the document's {@code ####}. The generator's continuation
 * is scored by the number after its first {@code ####} (to the end of that line); answers compare
 * as numbers after dropping commas, a leading {@code $} and a trailing full stop, so {@code 1,000}
 * matches {@code 1000}. A continuation without {@code ####} counts as unanswered (and wrong).
 */
public final class MathAnswerAccuracy {

    /**
     * The outcome over a set of problems.
     *
     * @param problems   problems asked
     * @param correct    continuations whose final answer equals the expected one
     * @param unanswered continuations with no {@code ####} answer
     */
    public record Result(int problems, int correct, int unanswered) {

        /** {@code correct / problems}, 0 for no problems. */
        public double accuracy() {
            return problems == 0 ? 0 : (double) correct / problems;
        }

        /** E.g. {@code 42/100 correct (42.0%), 3 unanswered}. */
        @Override
        public String toString() {
            return String.format("%d/%d correct (%.1f%%), %d unanswered", correct, problems, 100 * accuracy(), unanswered);
        }
    }

    /**
     * A document cut into what the model sees and what it should answer.
     *
     * @param prompt the question line and a newline
     * @param answer the expected final answer, as written after {@code ####}
     */
    public record Question(String prompt, String answer) {
    }

    private MathAnswerAccuracy() {
    }

    /**
     * Asks {@code generate} every document's question and counts exact final answers.
     *
     * @param documents math documents, e.g. the test part of a {@link Split} of {@code math}
     * @param generate  prompt to greedy continuation
     * @throws IllegalArgumentException naming the first document that has no question line or no
     *                                  {@code ####} answer
     */
    public static Result score(List<Document> documents, Function<String, String> generate) {
        int correct = 0;
        int unanswered = 0;
        for (Document doc : documents) {
            Question question = question(doc);
            Optional<String> given = finalAnswer(generate.apply(question.prompt()));
            if (given.isEmpty()) {
                unanswered++;
            } else if (sameNumber(given.get(), question.answer())) {
                correct++;
            }
        }
        return new Result(documents.size(), correct, unanswered);
    }

    /** Cuts a document after its first line; its answer is what follows its {@code ####}. */
    public static Question question(Document doc) {
        int newline = doc.text().indexOf('\n');
        Optional<String> answer = finalAnswer(doc.text());
        if (newline <= 0 || answer.isEmpty() || doc.text().indexOf("####") < newline) {
            throw new IllegalArgumentException(doc.source() + ": not a math problem (a question line, worked lines "
                    + "and '#### N')");
        }
        return new Question(doc.text().substring(0, newline + 1), answer.get());
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
