package modej.tasks.experiment;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import modej.model.checkpoint.GptCheckpoint;
import modej.model.checkpoint.ModeCheckpoint;
import modej.model.gpt.GptConfig;
import modej.model.gpt.GptParams;
import modej.model.mode.GateConfig;
import modej.model.mode.ModeConfig;
import modej.model.tokenizer.ByteTokenizer;
import modej.model.tokenizer.Tokenizer;
import modej.model.tokenizer.Tokenizers;
import modej.tasks.data.DomainData;
import modej.tasks.train.OutputLock;

/**
 * Runs an experiment file: resolves the config (saved as {@code OUT/resolved.yaml}, with the
 * facts of the machine of the last call that trained runs in {@code OUT/environment.json}), pretrains or loads the backbone, then for
 * every seed and method trains and evaluates one run, writing {@code OUT/runs/<method>-seed<k>/result.json}.
 * A run whose result file exists is skipped (after checking it was made with the same settings),
 * so an interrupted experiment, run again, continues where it stopped without repeating or losing
 * runs. The data the runs used is recorded in {@code OUT/data.json} ({@link DataFacts}). Reports are written from the results by {@link modej.tasks.experiment.report.ExperimentReport}.
 */
public final class Experiment {

    /**
     * What a call to {@link #run()} did.
     *
     * @param config  the resolved config
     * @param facts   the machine and software
     * @param results every run's result, in the order of seeds, then methods
     * @param ran     labels of the runs trained by this call
     * @param skipped labels of the runs whose results were already there
     * @param data    the data the runs used (as in {@code OUT/data.json})
     */
    public record Summary(ExperimentConfig config, MachineFacts facts, List<RunResult> results, List<String> ran,
                          List<String> skipped, DataFacts data) {
    }

    private final ExperimentConfig fileConfig;
    private final Path out;
    private final Backends backends;
    private final int threads;
    private final PrintStream log;

    /**
     * @param backends a fresh backend for pretraining, for the frozen backbone's evaluation and for each run
     * @param threads  the backend's workers, recorded with the machine's facts
     */
    public Experiment(ExperimentConfig config, Path out, Backends backends, int threads, PrintStream log) {
        this.fileConfig = config;
        this.out = out;
        this.backends = backends;
        this.threads = threads;
        this.log = log;
    }

    /** Runs every (seed, method) that has no result yet and returns all results. */
    public Summary run() throws IOException {
        // one experiment at a time on OUT: the lock also creates OUT and proves it writable
        try (OutputLock lock = OutputLock.acquire(out.resolve("experiment.lock"), "experiment folder " + out)) {
            return runLocked();
        }
    }

    private Summary runLocked() throws IOException {
        // a given or imported backbone is ready before the data is read; one to pretrain comes after the checks
        PretrainSpec pretrain = fileConfig.backbone().pretrain();
        Path given = pretrain != null ? null : backends.with(b -> BackboneSource.prepare(fileConfig.backbone(), out, b, log));
        GptConfig shape = pretrain != null ? pretrain.model() : BackboneSource.load(given).config();
        ExperimentConfig config = fileConfig.budget().seq() == null ? fileConfig.withSeq(shape.context()) : fileConfig;
        check(config, shape);
        Files.writeString(out.resolve("resolved.yaml"), ExperimentFile.yaml(config), StandardCharsets.UTF_8);
        MachineFacts facts = MachineFacts.collect(threads);
        Path environment = out.resolve("environment.json");
        if (!Files.exists(environment)) {
            ExperimentFile.writeJson(environment, facts);
        }

        // the data is read, split and checked before the backbone pretrains: a mistake costs seconds, not a pretraining
        Map<String, String> givenMetadata = given == null ? Map.of() : GptCheckpoint.metadata(given);
        BackboneCorpus pretrained = pretrain != null ? BackboneCorpus.of(pretrain) : BackboneCorpus.of(givenMetadata);
        // the backbone's tokenizer: a pretrain section pretrains on bytes
        Tokenizer tokenizer = pretrain != null ? ByteTokenizer.INSTANCE : Tokenizers.of(givenMetadata);
        Domains domains = new Domains(config, out, pretrained, tokenizer, log);
        if (anyRunMissing(config)) {
            domains.load();
        }
        Path backboneFile = backends.with(b -> BackboneSource.prepare(config.backbone(), out, b, log));
        GptCheckpoint.Loaded backbone = BackboneSource.loadWithMetadata(backboneFile);
        String backboneFingerprint = ModeCheckpoint.fingerprint(backbone.params());
        DataFacts dataFacts = domains.facts(backbone.metadata());
        RunContext context = null;
        List<RunResult> results = new ArrayList<>();
        List<String> ran = new ArrayList<>(), skipped = new ArrayList<>();
        int total = config.seeds().size() * config.methods().size(), index = 0;
        for (long seed : config.seeds()) {
            for (MethodSpec m : config.methods()) {
                index++;
                String label = RunResult.label(m.name(), seed);
                Path dir = out.resolve("runs").resolve(label);
                Path file = dir.resolve("result.json");
                String fingerprint = fingerprint(config, m, seed, backboneFingerprint);
                if (Files.exists(file)) {
                    RunResult done = RunResult.read(file);
                    if (!fingerprint.equals(done.fingerprint())) {
                        throw new IllegalArgumentException(file + ": made with other settings than the experiment's now "
                                + "(method, budget, domains, evaluation or backbone changed); delete " + dir
                                + " to redo that run, or use another --out");
                    }
                    log.printf("[%d/%d] %s: done before, skipped%n", index, total, label);
                    results.add(done);
                    skipped.add(label);
                    continue;
                }
                log.printf("[%d/%d] %s: %s%n", index, total, label,
                        m.method().equals("frozen") ? "evaluating the frozen backbone" : "training " + m.method());
                context = context != null ? context : new RunContext(config, domains.load().data(), backboneFile, backends, log);
                RunResult r;
                try (OutputLock runLock = OutputLock.acquire(dir.resolve("run.lock"), "run folder " + dir)) {
                    r = context.run(m, seed, fingerprint, dir);
                    r.write(file);
                }
                log.printf(Locale.ROOT, "[%d/%d] %s: %s; %.1f s%n", index, total, label, accuracies(r), r.runSeconds());
                results.add(r);
                ran.add(label);
            }
        }
        log.printf("%d runs trained, %d skipped (results already in %s)%n", ran.size(), skipped.size(), out.resolve("runs"));
        // environment.json describes the last call that trained runs, not one that only rewrote the reports
        if (!ran.isEmpty()) {
            ExperimentFile.writeJson(environment, facts);
        } else {
            facts = MachineFacts.read(environment, facts);
        }
        return new Summary(config, facts, List.copyOf(results), List.copyOf(ran), List.copyOf(skipped), dataFacts);
    }

    /** Whether some (seed, method) has no result file yet: then the data is loaded and checked up front. */
    private boolean anyRunMissing(ExperimentConfig config) {
        for (long seed : config.seeds()) {
            for (MethodSpec m : config.methods()) {
                if (!Files.exists(out.resolve("runs").resolve(RunResult.label(m.name(), seed)).resolve("result.json"))) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The domains' data, loaded and checked once ({@link ExperimentData}), and its facts in
     * {@code OUT/data.json}: written when freshly loaded, checked against the fresh data when loaded
     * again while finished runs exist, and made (by loading the data) when every run is done but the
     * file is missing.
     */
    private static final class Domains {
        private final ExperimentConfig config;
        private final Path file, runs;
        private final BackboneCorpus backbone;
        private final Tokenizer tokenizer;
        private final PrintStream log;
        private final DataFacts recorded;
        private ExperimentData data;
        private DataFacts written;

        Domains(ExperimentConfig config, Path out, BackboneCorpus backbone, Tokenizer tokenizer, PrintStream log) {
            this.config = config;
            this.file = out.resolve("data.json");
            this.runs = out.resolve("runs");
            this.backbone = backbone;
            this.tokenizer = tokenizer;
            this.log = log;
            this.recorded = DataFacts.readIfPresent(file);
        }

        ExperimentData load() throws IOException {
            if (data != null) {
                return data;
            }
            ExperimentData fresh = ExperimentData.load(config, backbone, tokenizer, log);
            fresh.checkSizes(config);
            if (recorded != null && anyFinishedRun()) {
                List<String> changed = DataFacts.of(config, fresh, Map.of()).changedFrom(recorded);
                if (!changed.isEmpty()) {
                    String name = changed.get(0);
                    throw new IllegalArgumentException("domains." + name + ": the data differs from what the finished runs in "
                            + runs + " were trained on (token fingerprint " + fingerprint(recorded, name) + " then, "
                            + fingerprint(DataFacts.of(config, fresh, Map.of()), name) + " now, see " + file
                            + "); delete " + runs + " to redo them on the new data, or use another --out");
                }
            }
            data = fresh;
            return data;
        }

        /** The facts of the loaded data (written to {@code data.json}), or those recorded when nothing was loaded. */
        DataFacts facts(Map<String, String> backboneMetadata) throws IOException {
            if (written != null) {
                return written;
            }
            if (data == null && recorded != null) {
                return recorded;
            }
            written = DataFacts.of(config, load(), backboneMetadata);
            written.write(file);
            return written;
        }

        private boolean anyFinishedRun() throws IOException {
            if (!Files.isDirectory(runs)) {
                return false;
            }
            try (var dirs = Files.list(runs)) {
                return dirs.anyMatch(d -> Files.exists(d.resolve("result.json")));
            }
        }

        private static String fingerprint(DataFacts facts, String domain) {
            DataFacts.Domain d = facts.domains().get(domain);
            return d == null ? "(no such domain)" : d.fingerprint();
        }
    }

    /** Checks the config against the backbone's shape, before any training: a one-line error naming the key. */
    static void check(ExperimentConfig config, GptConfig shape) {
        if (config.budget().seq() > shape.context()) {
            throw new IllegalArgumentException("budget.seq: " + config.budget().seq() + " exceeds the backbone's context length "
                    + shape.context());
        }
        for (int i = 0; i < config.methods().size(); i++) {
            MethodSpec m = config.methods().get(i);
            if (m.blocks() == null) {
                continue;
            }
            try {
                new ModeConfig(m.blocks(), m.expertLayers(), List.of("x"), GateConfig.DEFAULT,
                        m.init() == null ? "random" : m.init()).validateFor(shape.layers());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("methods." + i + "." + e.getMessage());
            }
        }
    }

    /** Hash of everything that decides a run's result. */
    static String fingerprint(ExperimentConfig c, MethodSpec m, long seed, String backbone) {
        Map<String, Object> what = new LinkedHashMap<>();
        what.put("backbone", backbone);
        what.put("domains", c.domains());
        what.put("english", c.english());
        what.put("budget", c.budget());
        what.put("evaluation", c.evaluation());
        what.put("method", m);
        what.put("seed", seed);
        try {
            byte[] json = ExperimentFile.json().writeValueAsBytes(what);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json), 0, 8);
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String accuracies(RunResult r) {
        StringBuilder s = new StringBuilder();
        r.metrics().forEach((d, x) -> s.append(s.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%s acc %.4f", d, x.accuracy())));
        return s.toString();
    }
}
