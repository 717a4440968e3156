package modej.tasks.experiment;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import modej.tasks.eval.EvalReport;

/**
 * What one run (a method and a seed) measured, as written to {@code runs/<method>-seed<k>/result.json}.
 * The file is written atomically (a temporary file renamed over it), so it exists only for a run
 * that finished; an experiment skips the runs whose file exists.
 *
 * @param method      the method's name in the experiment file; {@code <name>@<domain>} for a per-domain model
 * @param kind        {@code mode}, {@code full}, {@code lora}, {@code lora-matched} or {@code frozen}
 * @param seed        the seed of new weights and batches
 * @param fingerprint hash of everything that decides the result (backbone weights, domains, budget,
 *                    evaluation, the method's options, the seed); a rerun refuses a result made otherwise
 * @param metrics     held-out metrics per domain
 * @param retention   on the English domain, relative to the frozen backbone; null without one
 * @param costs       parameters, FLOPs, training time, tokens, tokens/s, peak heap, evaluation time
 * @param gates       MoDE only: mean gate weights per domain and block; empty otherwise
 * @param stages      the training stages in order (MoDE: stage 1 per expert, then stage 2); empty for frozen
 * @param lossCurve   training loss, mean over every {@code evaluation.lossEvery} steps, over all stages
 * @param math        final-answer accuracy on held-out math problems; null when not scored
 * @param runSeconds  wall time of the run: training, evaluation and scoring
 * @param finished    when the run finished, ISO-8601
 * @param trained     the trained set of a rotated experiment ({@code rotate}); absent otherwise
 * @param trainRows   training rows (sequences) drawn from each domain, over all stages, counted as the batches
 *                    were drawn; empty for the frozen backbone; absent in results written before it existed
 */
public record RunResult(String method, String kind, long seed, String fingerprint, Map<String, EvalReport.Metrics> metrics,
                        EvalReport.Retention retention, EvalReport.Costs costs, Map<String, List<EvalReport.GateBlock>> gates,
                        List<Stage> stages, List<LossPoint> lossCurve, MathScore math, double runSeconds, String finished,
                        @JsonInclude(JsonInclude.Include.NON_NULL) List<String> trained,
                        @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Long> trainRows) {

    private static final ObjectMapper JSON = ExperimentFile.json()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * One training stage.
     *
     * @param name        {@code train}, {@code stage1-<domain>} or {@code stage2}
     * @param steps       optimizer steps
     * @param tokens      tokens trained on: steps × batch × seq
     * @param seconds     wall time of the steps
     * @param peakHeapMiB peak JVM heap during the stage (sum of pool peaks: garbage included)
     * @param bufferBytes bytes of the arrays the stage's training graphs hold: weights, gradients,
     *                    AdamW moments, activations, scratch (0 in results written before this field)
     * @param lastLoss    training loss of the last step window
     */
    public record Stage(String name, int steps, long tokens, double seconds, long peakHeapMiB, long bufferBytes,
                        double lastLoss) {
    }

    /**
     * A point of the loss curve.
     *
     * @param stage  the stage it belongs to
     * @param step   the last step of its window, within the stage
     * @param tokens tokens trained on by the end of that step, counted over all stages of the run
     * @param loss   mean training loss over the window
     */
    public record LossPoint(String stage, int step, long tokens, double loss) {
    }

    /**
     * Final answers of greedy continuations on held-out math problems ({@link modej.tasks.data.MathAnswerAccuracy}).
     *
     * @param domain     the math domain
     * @param problems   problems asked
     * @param fit        problems whose whole question and reference solution fit the window (question within
     *                   window − tokens, solution within tokens); the others had their question cut from the left
     *                   or too few tokens to write the reference solution
     * @param answered   continuations that reached {@code #### <answer>}
     * @param correct    exact final answers
     * @param unanswered continuations without {@code ####} (problems − answered)
     * @param accuracy   correct / problems
     * @param tokens     tokens generated per answer at most
     * @param window     tokens the model sees: prompt (cut to window − tokens) and continuation
     */
    public record MathScore(String domain, int problems, int fit, int answered, int correct, int unanswered,
                            double accuracy, int tokens, int window) {
    }

    /** The run's folder name: {@code <method>-seed<k>}, after {@code <set>.} in a rotated experiment. */
    public String label() {
        return label(display(), seed);
    }

    /** The run's row in the report: {@link RunVariant#display}. */
    public String display() {
        return RunVariant.display(trained, method);
    }

    static String label(String method, long seed) {
        return method + "-seed" + seed;
    }

    /** Writes {@code file} atomically: to a temporary file in the same folder, then renamed over it. */
    public void write(Path file) throws IOException {
        ExperimentFile.writeJson(file, this);
    }

    /** Reads a result file; a one-line error naming it when it is not one. */
    public static RunResult read(Path file) {
        try {
            return JSON.readValue(file.toFile(), RunResult.class);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not a readable run result (" + e.getMessage().lines().findFirst()
                    .orElse("") + "); delete it to redo the run");
        }
    }
}
