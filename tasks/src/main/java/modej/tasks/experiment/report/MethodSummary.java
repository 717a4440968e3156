package modej.tasks.experiment.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import modej.tasks.eval.EvalReport;
import modej.tasks.experiment.RunResult;

/**
 * One method's runs summarised over seeds: per domain the mean next-token accuracy and loss with
 * 95% intervals and the paired t-test against the reference method (full fine-tuning); retention;
 * math answers; costs; mean gate weights; the mean loss curve.
 *
 * @param method     the method's row: its name, {@code <name>@<domain>} for a per-domain model, after
 *                   {@code <trained set>.} in a rotated experiment (e.g. {@code code+math.full})
 * @param kind       its kind (mode, btx, full, lora, lora-matched, moe-lora, frozen)
 * @param seeds      the seeds of its runs
 * @param domains    per domain
 * @param retention  accuracy on English / the frozen backbone's; null without an English domain
 * @param retentionLoss loss on English − the frozen backbone's; null without an English domain
 * @param math       final-answer accuracy; null when not scored
 * @param mathCounts what the math accuracy rests on: problems, how many fit, answered and correct; null when not scored
 * @param costs      parameter counts (equal over seeds) and mean training and evaluation costs
 * @param gates      routed methods only: domain → unit (MoDE: block; MoE-LoRA: layer) → mean weight per source
 *                   (MoDE: backbone and experts; MoE-LoRA: its LoRA experts), averaged over seeds
 * @param gateEntropy MoDE only: domain → block → the mean over tokens of the entropy of a token's gate
 *                   weights (nats; ln(sources) = uniform), averaged over seeds
 * @param sources    the gate's sources (MoDE: backbone, then experts; MoE-LoRA: e0 … e(E−1)); empty unless routed
 * @param lossCurve  [tokens, mean loss over seeds] per recorded point
 */
public record MethodSummary(String method, String kind, List<Long> seeds, Map<String, DomainSummary> domains,
                            Statistics.Interval retention, Statistics.Interval retentionLoss, Statistics.Interval math,
                            MathCounts mathCounts, Costs costs, Map<String, List<double[]>> gates,
                            Map<String, List<Double>> gateEntropy, List<String> sources, List<double[]> lossCurve) {

    /**
     * One domain.
     *
     * @param accuracy next-token accuracy over seeds
     * @param loss     loss over seeds
     * @param pVsReference two-sided paired t-test p-value of accuracy against the reference; NaN when undefined
     *                 (fewer than 2 pairs, no variance), null for the reference itself or when there is none
     * @param pairs    seeds paired in the test
     * @param accuracyStdErr sampling error of each run's accuracy: the standard error over the evaluated
     *                 batches, mean over seeds (0 when the whole evaluation part was evaluated)
     * @param lossStdErr sampling error of each run's loss, likewise
     * @param tokens   tokens evaluated per run (predicted targets)
     * @param windows  windows evaluated per run
     * @param available windows the evaluation part holds
     */
    public record DomainSummary(Statistics.Interval accuracy, Statistics.Interval loss, Double pVsReference, int pairs,
                                double accuracyStdErr, double lossStdErr, long tokens, int windows, int available) {

        /** Whether every window of the evaluation part was evaluated. */
        public boolean complete() {
            return windows == available;
        }
    }

    /**
     * The counts behind the math accuracy. Problems, fit, tokens and window are the same for every
     * seed (the same questions, cut the same way); answered and correct are means over seeds.
     */
    public record MathCounts(int problems, int fit, double answered, double correct, int tokens, int window) {

        static MathCounts of(List<RunResult> runs) {
            RunResult.MathScore first = runs.get(0).math();
            return new MathCounts(first.problems(), first.fit(), mean(runs, r -> r.math().answered()),
                    mean(runs, r -> r.math().correct()), first.tokens(), first.window());
        }
    }

    /** Means over seeds (parameter counts do not vary with the seed). */
    public record Costs(long totalParams, long trainableParams, long activeParamsPerToken, long forwardFlopsPerToken,
                        double trainSeconds, long trainTokens, double trainTokensPerSecond, long peakHeapMiB,
                        long bufferBytes, double evalSeconds, double runSeconds) {
    }

    /** Summarises {@code runs} (one method's), testing against {@code reference} (the full fine-tuning runs, or empty). */
    static MethodSummary of(List<RunResult> runs, List<String> domains, List<RunResult> reference, boolean isReference) {
        RunResult first = runs.get(0);
        Map<String, DomainSummary> perDomain = new LinkedHashMap<>();
        for (String d : domains) {
            ToDoubleFunction<RunResult> acc = r -> r.metrics().get(d).accuracy();
            Double p = null;
            int pairs = 0;
            if (!isReference && !reference.isEmpty()) {
                List<double[]> paired = pairs(runs, reference, acc);
                pairs = paired.size();
                p = Statistics.pairedP(paired.stream().mapToDouble(x -> x[0]).toArray(),
                        paired.stream().mapToDouble(x -> x[1]).toArray());
            }
            EvalReport.Metrics m = first.metrics().get(d);
            perDomain.put(d, new DomainSummary(interval(runs, acc), interval(runs, r -> r.metrics().get(d).loss()), p, pairs,
                    mean(runs, r -> r.metrics().get(d).accuracyStdErr()), mean(runs, r -> r.metrics().get(d).lossStdErr()),
                    m.rows(), m.windows(), m.available()));
        }
        boolean retained = first.retention() != null;
        return new MethodSummary(first.display(), first.kind(), runs.stream().map(RunResult::seed).toList(), perDomain,
                retained ? interval(runs, r -> r.retention().accuracyRatio()) : null,
                retained ? interval(runs, r -> r.retention().lossDifference()) : null,
                first.math() == null ? null : interval(runs, r -> r.math().accuracy()),
                first.math() == null ? null : MathCounts.of(runs), costs(runs), gates(runs),
                gateEntropy(runs), sources(first), lossCurve(runs));
    }

    /** [this method's value, the reference's value] for every seed both have. */
    private static List<double[]> pairs(List<RunResult> runs, List<RunResult> reference, ToDoubleFunction<RunResult> f) {
        List<double[]> out = new ArrayList<>();
        for (RunResult r : runs) {
            reference.stream().filter(x -> x.seed() == r.seed()).findFirst()
                    .ifPresent(x -> out.add(new double[]{f.applyAsDouble(r), f.applyAsDouble(x)}));
        }
        return out;
    }

    private static Statistics.Interval interval(List<RunResult> runs, ToDoubleFunction<RunResult> f) {
        return Statistics.meanInterval(runs.stream().mapToDouble(f).toArray());
    }

    private static Costs costs(List<RunResult> runs) {
        EvalReport.Costs c = runs.get(0).costs();
        return new Costs(c.totalParams(), c.trainableParams(), c.activeParamsPerToken(), c.forwardFlopsPerToken(),
                mean(runs, r -> r.costs().trainSeconds() == null ? 0 : r.costs().trainSeconds()),
                c.trainTokens() == null ? 0 : c.trainTokens(),
                mean(runs, r -> r.costs().trainTokensPerSecond() == null ? 0 : r.costs().trainTokensPerSecond()),
                runs.stream().mapToLong(r -> r.costs().trainPeakHeapMiB() == null ? 0 : r.costs().trainPeakHeapMiB()).max().orElse(0),
                runs.stream().mapToLong(r -> r.costs().trainBufferBytes() == null ? 0 : r.costs().trainBufferBytes()).max().orElse(0),
                mean(runs, r -> r.costs().evalSeconds()), mean(runs, RunResult::runSeconds));
    }

    private static double mean(List<RunResult> runs, ToDoubleFunction<RunResult> f) {
        return runs.stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    private static List<String> sources(RunResult r) {
        return r.gates().isEmpty() ? List.of() : r.gates().values().iterator().next().get(0).sources();
    }

    private static Map<String, List<double[]>> gates(List<RunResult> runs) {
        Map<String, List<double[]>> out = new LinkedHashMap<>();
        runs.get(0).gates().forEach((domain, blocks) -> {
            List<double[]> means = new ArrayList<>();
            for (int b = 0; b < blocks.size(); b++) {
                double[] sum = new double[blocks.get(b).meanWeights().length];
                for (RunResult r : runs) {
                    double[] w = r.gates().get(domain).get(b).meanWeights();
                    for (int s = 0; s < sum.length; s++) {
                        sum[s] += w[s] / runs.size();
                    }
                }
                means.add(sum);
            }
            out.put(domain, means);
        });
        return out;
    }

    /**
     * How much the gate routes by domain: for each expert named after a domain (in gate order), per
     * block, its mean weight on its own domain's tokens minus the mean over the other such experts'
     * domains of its mean weight on their tokens. 0 everywhere = the gate does not tell the domains
     * apart. Empty unless at least two experts are named after domains.
     */
    public Map<String, double[]> routing() {
        List<String> experts = sources.isEmpty() ? List.of()
                : sources.subList(1, sources.size()).stream().filter(gates::containsKey).toList();
        Map<String, double[]> out = new LinkedHashMap<>();
        if (experts.size() < 2) {
            return out;
        }
        for (String e : experts) {
            int source = sources.indexOf(e);
            double[] perBlock = new double[gates.get(e).size()];
            for (int b = 0; b < perBlock.length; b++) {
                double others = 0;
                for (String d : experts) {
                    others += d.equals(e) ? 0 : gates.get(d).get(b)[source] / (experts.size() - 1);
                }
                perBlock[b] = gates.get(e).get(b)[source] - others;
            }
            out.put(e, perBlock);
        }
        return out;
    }

    /** What one row of the gate tables is: a BTX or MoE-LoRA router per {@code layer}, a MoDE gate per {@code block}. */
    public String routedUnit() {
        return EvalReport.routedUnit(kind);
    }

    /**
     * For experts not named after domains (MoE-LoRA's): per expert and unit, the largest minus the
     * smallest of its mean weights over the domains. 0 everywhere = the routers weight the experts
     * alike for every domain. Empty with fewer than two domains or for MoDE (see {@link #routing}).
     */
    public Map<String, double[]> routingSpread() {
        Map<String, double[]> out = new LinkedHashMap<>();
        if (gates.size() < 2 || sources.isEmpty() || sources.get(0).equals("backbone")) {
            return out;
        }
        int units = gates.values().iterator().next().size();
        for (int s = 0; s < sources.size(); s++) {
            double[] perUnit = new double[units];
            for (int u = 0; u < units; u++) {
                double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
                for (List<double[]> perDomain : gates.values()) {
                    min = Math.min(min, perDomain.get(u)[s]);
                    max = Math.max(max, perDomain.get(u)[s]);
                }
                perUnit[u] = max - min;
            }
            out.put(sources.get(s), perUnit);
        }
        return out;
    }

    private static Map<String, List<Double>> gateEntropy(List<RunResult> runs) {
        Map<String, List<Double>> out = new LinkedHashMap<>();
        runs.get(0).gates().forEach((domain, blocks) -> {
            List<Double> means = new ArrayList<>();
            for (int b = 0; b < blocks.size(); b++) {
                int block = b;
                means.add(mean(runs, r -> r.gates().get(domain).get(block).meanEntropy()));
            }
            out.put(domain, means);
        });
        return out;
    }

    private static List<double[]> lossCurve(List<RunResult> runs) {
        List<double[]> out = new ArrayList<>();
        int points = runs.stream().mapToInt(r -> r.lossCurve().size()).min().orElse(0);
        for (int i = 0; i < points; i++) {
            int at = i;
            out.add(new double[]{runs.get(0).lossCurve().get(i).tokens(), mean(runs, r -> r.lossCurve().get(at).loss())});
        }
        return out;
    }
}
