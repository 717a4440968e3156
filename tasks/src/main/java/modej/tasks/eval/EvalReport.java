package modej.tasks.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import modej.model.gpt.GptConfig;
import modej.tasks.train.Validation;

/**
 * What {@code ./modej eval} measured: every model on every domain, retention, costs and gate use,
 * with the settings and backbone config it was measured under. Written as JSON by {@link #write}.
 *
 * @param settings how the evaluation ran (backbone file, data, batch, seq, batches, validation fraction)
 * @param backbone the backbone's config
 * @param domains  domain names in the order given
 * @param english  the domain retention is measured on, or null when there is none
 * @param models   the frozen backbone first, then each {@code --model} in the order given
 */
public record EvalReport(Map<String, Object> settings, GptConfig backbone, List<String> domains, String english,
                         List<ModelResult> models) {

    /** One model's results. {@code retention} is null without an English domain; {@code gates} is empty unless MoDE. */
    public record ModelResult(String label, String kind, String method, String file, Map<String, Metrics> metrics,
                              Retention retention, Costs costs, Map<String, List<GateBlock>> gates) {

        /** What one row of a model's gate table is: a router per {@code layer} or a MoDE gate per {@code block}. */
        public String routedUnit() {
            return EvalReport.routedUnit(kind);
        }
    }

    /** BTX and MoE-LoRA route per {@code layer} (among FFN or LoRA experts), MoDE per {@code block}. */
    public static String routedUnit(String kind) {
        return kind.equals("btx") || kind.equals("moe-lora") ? "layer" : "block";
    }

    /**
     * Held-out metrics on one domain.
     *
     * @param loss        mean cross-entropy per predicted token, nats
     * @param accuracy    next-token accuracy (argmax equals the target)
     * @param perplexity  e^loss
     * @param bitsPerByte summed loss in bits per byte of the predicted text (comparable across tokenizers)
     * @param rows        predicted tokens the means are over
     * @param lossStdErr  standard error of {@code loss} over the evaluated batches (sampling error of
     *                    a capped evaluation; see {@link Validation.Result})
     * @param accuracyStdErr standard error of {@code accuracy}, likewise
     * @param windows     windows evaluated
     * @param available   windows the evaluation part holds ({@code windows == available}: all of it)
     */
    public record Metrics(double loss, double accuracy, double perplexity, double bitsPerByte, long rows,
                          double lossStdErr, double accuracyStdErr, int windows, int available) {

        static Metrics of(Validation.Result r) {
            return new Metrics(r.loss(), r.accuracy(), r.perplexity(), r.bitsPerByte(), r.rows(), r.lossStdErr(),
                    r.accuracyStdErr(), r.windows(), r.available());
        }
    }

    /**
     * How much of the backbone's general ability a model kept, on the English domain.
     *
     * @param accuracyRatio  the model's accuracy / the frozen backbone's
     * @param lossDifference the model's loss − the frozen backbone's (nats; positive = worse)
     */
    public record Retention(String domain, double accuracyRatio, double lossDifference) {
    }

    /**
     * What a model costs. Training fields are null where the checkpoint does not record them (and
     * for the frozen backbone, which was not trained here).
     *
     * @param forwardFlopsPerToken  at the evaluated sequence length
     * @param trainPeakHeapMiB      peak JVM heap during training (sum of pool peaks: garbage included)
     * @param trainBufferBytes      bytes of the arrays the training graphs held (largest stage): weights,
     *                              gradients, AdamW moments, activations, scratch
     * @param evalSeconds           wall time of this evaluation of the model, all domains, graph building included
     */
    public record Costs(long totalParams, long trainableParams, long activeParamsPerToken, long forwardFlopsPerToken,
                        Double trainSeconds, Long trainTokens, Double trainTokensPerSecond, Long trainPeakHeapMiB,
                        Long trainBufferBytes, double evalSeconds) {
    }

    /**
     * A gate's use in one block, over one domain's evaluated tokens (one decision per token, in
     * every gate mode).
     *
     * @param sources       {@code backbone}, then the experts in gate order
     * @param meanWeights   mean mixing weight per source; sums to 1
     * @param entropyOfMean entropy of {@code meanWeights}, nats: how spread the use of sources is overall
     * @param meanEntropy   mean entropy of the per-token weights, nats: how undecided each decision is
     * @param tokens        tokens averaged over
     */
    public record GateBlock(int block, List<String> sources, double[] meanWeights, double entropyOfMean,
                            double meanEntropy, long tokens) {
    }

    /** The model with this label. */
    public ModelResult model(String label) {
        return models.stream().filter(m -> m.label().equals(label)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no model '" + label + "' in the report"));
    }

    /** Writes the report as indented JSON (creating parent folders). */
    public void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), this);
    }
}
