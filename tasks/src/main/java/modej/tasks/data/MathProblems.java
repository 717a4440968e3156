package modej.tasks.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A seeded generator of arithmetic word problems with worked solutions in GSM8K's answer format:
 * the question on one line, then one line per step with a calculator note such as
 * {@code 48/2 = <<48/2=24>>24}, then {@code #### N}. For example:
 * <pre>
 * Ava has 3 boxes of 12 stickers. She gives 6 stickers to her brother and shares the rest equally among 5 friends. How many stickers does each friend get?
 * Ava has 3*12 = &lt;&lt;3*12=36&gt;&gt;36 stickers.
 * After giving some away, 36-6 = &lt;&lt;36-6=30&gt;&gt;30 stickers are left.
 * Each friend gets 30/5 = &lt;&lt;30/5=6&gt;&gt;6 stickers.
 * #### 6
 * </pre>
 *
 * <p>Problems take 2 to 4 steps, drawn from {@link MathTemplates} (shopping, distances, sharing,
 * ages, reading, wages, baking, ...). Every number is a whole number: no step goes negative and
 * every division is exact. Problem {@code i} of seed {@code s} depends only on {@code (s, i)}, so
 * a shorter run is a prefix of a longer one, on any JVM ({@link Random}'s algorithm is specified).
 */
public final class MathProblems {

    /** Bumped whenever a template changes, so that provenance tells generated corpora apart. */
    public static final int VERSION = 1;

    /**
     * One generated problem.
     *
     * @param question the question, one line
     * @param solution the worked lines, each ending in a newline, then {@code #### N}
     * @param answer   N
     */
    public record Problem(String question, String solution, long answer) {

        /** The document text: question, newline, solution. */
        public String text() {
            return question + "\n" + solution;
        }
    }

    private MathProblems() {
    }

    /** Problem {@code index} of {@code seed}. */
    public static Problem problem(long seed, long index) {
        Random random = new Random(seed * 0x9E3779B97F4A7C15L + index * 0xBF58476D1CE4E5B9L + 1);
        return MathTemplates.pick(random);
    }

    /** Problems {@code 0 .. count-1} of {@code seed} as documents named {@code math:seed=S#i}. */
    public static List<Document> generate(long seed, int count) {
        List<Document> docs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            docs.add(new Document("math:seed=" + seed + "#" + i, problem(seed, i).text()));
        }
        return docs;
    }

    /**
     * Collects the worked lines of one problem; each step checks that its result is a whole,
     * non-negative number.
     */
    static final class Steps {

        private final StringBuilder lines = new StringBuilder();
        private long last;
        private int count;

        /**
         * Computes {@code a op b}, appends {@code sentence} with its {@code %s} replaced by
         * {@code a op b = <<a op b=c>>c} (with {@code $%s}, by {@code a op b = $<<a op b=c>>c}),
         * and returns c.
         */
        long step(String sentence, long a, char op, long b) {
            long c = switch (op) {
                case '+' -> a + b;
                case '-' -> a - b;
                case '*' -> a * b;
                case '/' -> b != 0 && a % b == 0 ? a / b : -1;
                default -> throw new IllegalArgumentException("unknown operator " + op);
            };
            if (a < 0 || b < 0 || c < 0) {
                throw new IllegalStateException("template step " + a + op + b + " is not a whole number >= 0");
            }
            String expression = "" + a + op + b;
            boolean money = sentence.contains("$%s");
            String worked = expression + " = " + (money ? "$" : "") + "<<" + expression + "=" + c + ">>" + c;
            lines.append(sentence.replace(money ? "$%s" : "%s", worked)).append('\n');
            last = c;
            count++;
            return c;
        }

        /** The problem, its answer being the last step's result. */
        Problem finish(String question) {
            if (count < 2 || count > 4) {
                throw new IllegalStateException("template made " + count + " steps, not 2 to 4");
            }
            return new Problem(question, lines + "#### " + last, last);
        }
    }
}
