package modej.tasks.experiment;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import modej.tasks.data.DomainData;
import modej.tasks.eval.EvalReport;
import modej.tasks.eval.Evaluator;
import modej.tasks.eval.LoadedModel;

/**
 * What every run of an experiment shares, made once when the first run needs training (a resumed
 * experiment whose runs are all done makes none): the domains' token streams, the evaluation
 * settings, the frozen backbone's metrics (the retention reference) and the math questions. Each
 * run trains and is evaluated on a backend of its own ({@link Backends}).
 */
final class RunContext {

    private final ExperimentConfig config;
    private final Path backboneFile;
    private final Backends backends;
    private final PrintStream log;
    private final DomainData data;
    private final Evaluator.Settings evaluation;
    private final EvalReport.ModelResult frozen;
    private final RunResult.MathScore frozenMath;
    private final MathScoring math;

    /** The frozen backbone's held-out metrics and math score. */
    private record Reference(EvalReport.ModelResult metrics, RunResult.MathScore math) {
    }

    RunContext(ExperimentConfig config, DomainData data, Path backboneFile, Backends backends, PrintStream log)
            throws IOException {
        this.config = config;
        this.backboneFile = backboneFile;
        this.backends = backends;
        this.log = log;
        this.data = data;
        this.evaluation = new Evaluator.Settings(config.evaluation().batch(), config.budget().seq(),
                config.evaluation().evalBatches(), config.englishDomain());
        this.math = config.evaluation().scoresMath() ? MathScoring.of(config, data) : null;
        LoadedModel reference = LoadedModel.frozen(BackboneSource.load(backboneFile));
        Reference r = backends.with(backend -> new Reference(new Evaluator(backend, evaluation).evaluate(reference, data, null),
                math == null ? null : math.score(reference.model(), backend, config.budget().seq())));
        this.frozen = r.metrics();
        this.frozenMath = r.math();
        log.printf(Locale.ROOT, "frozen backbone: %s%n", frozen.metrics().entrySet().stream()
                .map(e -> String.format(Locale.ROOT, "%s acc %.4f", e.getKey(), e.getValue().accuracy())).toList());
    }

    /**
     * Trains and evaluates one run, on a backend of its own: {@code m} as {@code variant} says (its row,
     * trained set, and the config it trains under); evaluated as every run is, on every domain.
     */
    RunResult run(MethodSpec m, RunVariant variant, long seed, String fingerprint, Path dir) throws IOException {
        long t0 = System.nanoTime();
        if (m.method().equals("frozen")) {
            return new RunResult(variant.row(), m.method(), seed, fingerprint, frozen.metrics(), frozen.retention(),
                    frozen.costs(), frozen.gates(), List.of(), List.of(), frozenMath, seconds(t0), Instant.now().toString(),
                    variant.trained(), Map.of());
        }
        ExperimentConfig trainsUnder = variant.config() != null ? variant.config() : config;
        return backends.with(backend -> {
            MethodTraining.Trained t = new MethodTraining(trainsUnder, data, backend, log).train(m, seed, backboneFile, dir,
                    fingerprint);
            LoadedModel model = new LoadedModel(m.name(), t.evalKind(), t.checkpoint(), t.model(), costs(m, t), t.trainable());
            EvalReport.ModelResult r = new Evaluator(backend, evaluation).evaluate(model, data, frozen.metrics());
            RunResult.MathScore score = math == null ? null : math.score(t.model(), backend, config.budget().seq());
            return new RunResult(variant.row(), m.method(), seed, fingerprint, r.metrics(), r.retention(), r.costs(), r.gates(),
                    t.stages(), t.lossCurve(), score, seconds(t0), Instant.now().toString(), variant.trained(), t.rows());
        });
    }

    /** Training costs summed over the stages, as the evaluator reads them from a checkpoint's metadata. */
    private static Map<String, String> costs(MethodSpec m, MethodTraining.Trained t) {
        double seconds = t.stages().stream().mapToDouble(RunResult.Stage::seconds).sum();
        long tokens = t.stages().stream().mapToLong(RunResult.Stage::tokens).sum();
        long heap = t.stages().stream().mapToLong(RunResult.Stage::peakHeapMiB).max().orElse(0);
        long buffers = t.stages().stream().mapToLong(RunResult.Stage::bufferBytes).max().orElse(0);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("modej.method", m.method());
        meta.put("modej.train.seconds", String.format(Locale.ROOT, "%.3f", seconds));
        meta.put("modej.train.tokens", Long.toString(tokens));
        meta.put("modej.train.peak_heap_mib", Long.toString(heap));
        meta.put("modej.train.buffer_bytes", Long.toString(buffers));
        return meta;
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
