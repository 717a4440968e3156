package modej.tasks.eval;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import modej.engine.device.Backend;
import modej.model.method.AdaptedModel;
import modej.model.gpt.Runner;
import modej.model.method.RoutedGraphs;
import modej.tasks.data.DomainData;
import modej.tasks.train.Validation;

/**
 * Measures models on the held-out split of every domain, each over the same windows
 * ({@link Validation}): metrics per domain, retention on the English domain relative to the frozen
 * backbone, costs, and for routed models (MoDE's gates, MoE-LoRA's routers) how they weight their sources.
 */
public final class Evaluator {

    /**
     * How to evaluate.
     *
     * @param batch       sequences per forward pass
     * @param seq         tokens per sequence
     * @param maxBatches  batches per domain at most (fewer when the held-out split is short), their
     *                    windows spread evenly over it; 0 = every window
     * @param english     the domain retention is measured on, or null for none
     */
    public record Settings(int batch, int seq, int maxBatches, String english) {
    }

    private final Backend backend;
    private final Settings settings;

    public Evaluator(Backend backend, Settings settings) {
        this.backend = backend;
        this.settings = settings;
    }

    /**
     * Evaluates {@code models} (the first must be the frozen backbone: the retention reference) on
     * every domain of {@code data}; {@code log} gets one line per model.
     */
    public EvalReport run(List<LoadedModel> models, DomainData data, Map<String, Object> runSettings, PrintStream log) {
        if (models.isEmpty() || !models.get(0).kind().equals(LoadedModel.FROZEN)) {
            throw new IllegalArgumentException("the first model must be the frozen backbone");
        }
        if (settings.english() != null) {
            data.get(settings.english()); // an unknown retention domain fails here, before any evaluation
        }
        List<EvalReport.ModelResult> results = new ArrayList<>();
        Map<String, EvalReport.Metrics> reference = null;
        for (LoadedModel m : models) {
            EvalReport.ModelResult r = evaluate(m, data, reference);
            reference = reference == null ? r.metrics() : reference;
            results.add(r);
            log.printf(Locale.ROOT, "eval %s: %s in %.1f s%n", m.label(), summary(r), r.costs().evalSeconds());
        }
        return new EvalReport(runSettings, models.get(0).model().backbone().config(), data.names(), settings.english(),
                List.copyOf(results));
    }

    /**
     * One model on every domain; {@code reference} is the frozen backbone's metrics (for retention),
     * or null for the backbone itself.
     */
    public EvalReport.ModelResult evaluate(LoadedModel m, DomainData data, Map<String, EvalReport.Metrics> reference) {
        long t0 = System.nanoTime();
        Runner runner = new Runner(m.model().graphs(settings.batch(), settings.seq()), backend, null);
        // MoDE's gates, BTX's and MoE-LoRA's routers: their weights per domain, router and source
        RoutedGraphs routed = runner.graphs() instanceof RoutedGraphs g && g.routers() > 0 ? g : null;
        Map<String, EvalReport.Metrics> metrics = new LinkedHashMap<>();
        Map<String, List<EvalReport.GateBlock>> gates = new LinkedHashMap<>();
        for (String domain : data.names()) {
            GateUsage usage = routed != null ? new GateUsage(routed, backend) : null;
            Validation.Result r = Validation.run(runner, data.get(domain).validation(), settings.batch(), settings.seq(),
                    settings.maxBatches(), usage == null ? targets -> { } : usage, data.tokenizer());
            metrics.put(domain, EvalReport.Metrics.of(r));
            if (usage != null) {
                gates.put(domain, usage.blocks(routed.sourceNames()));
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, EvalReport.Metrics> ref = reference == null ? metrics : reference;
        return new EvalReport.ModelResult(m.label(), m.kind(), m.method(), m.file() == null ? null : m.file().toString(),
                metrics, retention(metrics, ref), costs(m, seconds), gates);
    }

    private EvalReport.Retention retention(Map<String, EvalReport.Metrics> model, Map<String, EvalReport.Metrics> frozen) {
        String e = settings.english();
        if (e == null) {
            return null;
        }
        EvalReport.Metrics a = model.get(e), f = frozen.get(e);
        return new EvalReport.Retention(e, a.accuracy() / f.accuracy(), a.loss() - f.loss());
    }

    private EvalReport.Costs costs(LoadedModel m, double evalSeconds) {
        AdaptedModel model = m.model();
        var counts = model.counts();
        Map<String, String> meta = m.metadata();
        Double seconds = number(m.file(), meta, "modej.train.seconds");
        String tokens = meta.get("modej.train.tokens"), heap = meta.get("modej.train.peak_heap_mib");
        Long trainTokens = tokens == null ? null : LoadedModel.parseLong(m.file(), "modej.train.tokens", tokens);
        Long peakHeap = heap == null ? null : LoadedModel.parseLong(m.file(), "modej.train.peak_heap_mib", heap);
        String bufferText = meta.get("modej.train.buffer_bytes");
        Long buffers = bufferText == null ? null : LoadedModel.parseLong(m.file(), "modej.train.buffer_bytes", bufferText);
        return new EvalReport.Costs(counts.total(), m.trainableParams(), counts.activePerToken(),
                model.forwardFlopsPerToken(settings.seq()), seconds, trainTokens,
                seconds == null || trainTokens == null ? null : trainTokens / seconds, peakHeap, buffers, evalSeconds);
    }

    /**
     * A number from the metadata, or null when absent. Accepts a decimal comma: training writes
     * seconds with {@code String.format}, which follows the default locale.
     */
    private static Double number(Path file, Map<String, String> meta, String key) {
        String v = meta.get(key);
        if (v == null) {
            return null;
        }
        try {
            return Double.parseDouble(v.trim().replace(',', '.'));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("checkpoint " + file + ": bad " + key + " '" + v + "': not a number");
        }
    }

    private static String summary(EvalReport.ModelResult r) {
        StringBuilder s = new StringBuilder();
        r.metrics().forEach((d, x) -> s.append(s.isEmpty() ? "" : ", ")
                .append(String.format(Locale.ROOT, "%s loss %.4f acc %.4f", d, x.loss(), x.accuracy())));
        return s.toString();
    }
}
