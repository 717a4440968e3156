package modej.tasks.experiment;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import modej.model.checkpoint.GptCheckpoint;
import modej.model.checkpoint.ModeCheckpoint;
import modej.model.gpt.GptConfig;
import modej.model.mode.GateConfig;
import modej.model.mode.ModeConfig;
import modej.model.tokenizer.ByteTokenizer;
import modej.model.tokenizer.Tokenizer;
import modej.model.tokenizer.Tokenizers;
import modej.tasks.train.OutputLock;

/**
 * Runs an experiment file: resolves the config (saved as {@code OUT/resolved.yaml}, with the
 * facts of the machine of the last call that trained runs in {@code OUT/environment.json}), reads
 * and checks the data, pretrains or loads the backbone, then for every seed and method trains and
 * evaluates one run, writing {@code OUT/runs/<method>-seed<k>/result.json}. The work is split into
 * units ({@link WorkUnits}: the backbone, then one per run), each claimed by one process
 * ({@link UnitRunner}), so any number of processes may share {@code OUT}. A run whose result file
 * exists is skipped (after checking it was made with the same settings), and a run stopped mid-way
 * continues from its last saved state, so an interrupted experiment, run again, continues where it
 * stopped without repeating or losing work. The data the runs used is recorded in
 * {@code OUT/data.json} ({@link DataFacts}). Reports are written from the results by
 * {@link modej.tasks.experiment.report.ExperimentReport}.
 */
public final class Experiment {

    /**
     * What a call to {@link #run()} did.
     *
     * @param config  the resolved config
     * @param facts   the machine and software
     * @param results every finished run's result, in the order of seeds, then methods
     * @param ran     labels of the runs trained by this call
     * @param skipped labels of the selected runs whose results were already there
     * @param data    the data the runs used (as in {@code OUT/data.json}); null when no run is finished
     * @param missing labels of the runs not finished yet (by any process), in unit order
     */
    public record Summary(ExperimentConfig config, MachineFacts facts, List<RunResult> results, List<String> ran,
                          List<String> skipped, DataFacts data, List<String> missing) {
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

    /** Runs every (seed, method) that has no result yet (waiting for units other processes hold) and returns all results. */
    public Summary run() throws IOException {
        return run(UnitRunner.Selection.all(true, Duration.ofHours(24), Duration.ofSeconds(10)));
    }

    /**
     * Does the units {@code selection} names ({@link WorkUnits}), safe beside other processes on the
     * same folder ({@link UnitRunner}), and returns every finished run's result (with the labels of
     * those not finished in {@link Summary#missing()}).
     */
    public Summary run(UnitRunner.Selection selection) throws IOException {
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write the experiment folder " + out + " (" + OutputLock.reason(e) + ")");
        }
        // a given or imported backbone is ready before the data is read (imported once, under the shared lock);
        // one to pretrain is a unit of its own, done after the checks
        PretrainSpec pretrain = fileConfig.backbone().pretrain();
        Path given = pretrain != null ? null
                : SharedFiles.locked(out, () -> backends.with(b -> BackboneSource.prepare(fileConfig.backbone(), out, b, log)));
        GptConfig shape = pretrain != null ? pretrain.model() : BackboneSource.load(given).config();
        ExperimentConfig config = fileConfig.budget().seq() == null ? fileConfig.withSeq(shape.context()) : fileConfig;
        check(config, shape);
        SharedFiles shared = new SharedFiles(out);
        shared.writeIfChanged("resolved.yaml", ExperimentFile.yaml(config));
        MachineFacts facts = MachineFacts.collect(threads);
        Path environment = out.resolve("environment.json");
        shared.writeJsonOnce(environment, facts);

        // the data is read, split and checked before the backbone pretrains: a mistake costs seconds, not a pretraining
        Map<String, String> givenMetadata = given == null ? Map.of() : GptCheckpoint.metadata(given);
        BackboneCorpus pretrained = pretrain != null ? BackboneCorpus.of(pretrain) : BackboneCorpus.of(givenMetadata);
        // the backbone's tokenizer: a pretrain section pretrains on bytes
        Tokenizer tokenizer = pretrain != null ? ByteTokenizer.INSTANCE : Tokenizers.of(givenMetadata);
        List<WorkUnit> units = WorkUnits.of(config);
        Units work = new Units(config, new Domains(config, out, pretrained, tokenizer, log));
        if (work.anyToDo(selection, units)) {
            work.domains.load();
        }
        UnitRunner.Outcome done = new UnitRunner(units, out, work, log).run(selection);
        List<String> ran = done.ran().stream().filter(u -> !u.isBackbone()).map(WorkUnit::label).toList();
        if (!done.ran().isEmpty()) {
            shared.writeJsonOnce(out.resolve("environment").resolve(OutputLock.host() + ".json"), facts);
        }
        List<RunResult> results = new ArrayList<>();
        List<String> skipped = new ArrayList<>(), missing = new ArrayList<>();
        for (WorkUnit u : units) {
            if (u.isBackbone()) {
                continue;
            }
            RunResult r = work.finished(u) ? work.result(u) : null;
            if (r == null) {
                missing.add(u.label());
                continue;
            }
            results.add(r);
            if (!ran.contains(u.label()) && (selection.indices() == null || selection.indices().contains(u.index()))) {
                skipped.add(u.label());
            }
        }
        log.printf("%d runs trained, %d skipped (results already in %s)%n", ran.size(), skipped.size(), out.resolve("runs"));
        // environment.json describes the last call that trained runs, not one that only rewrote the reports
        if (!ran.isEmpty()) {
            MachineFacts latest = facts;
            SharedFiles.locked(out, () -> {
                ExperimentFile.writeJson(environment, latest);
                return null;
            });
        } else {
            facts = MachineFacts.read(environment, facts);
        }
        DataFacts data = results.isEmpty() ? null : work.dataFacts();
        return new Summary(config, facts, List.copyOf(results), ran, List.copyOf(skipped), data, List.copyOf(missing));
    }

    /**
     * The experiment's units as {@link UnitRunner} does them: the backbone's pretraining, and runs,
     * which share the backbone, the data and the frozen backbone's metrics, made once per process.
     */
    private final class Units implements UnitRunner.Work {
        private final ExperimentConfig config;
        private final Domains domains;
        private final int runs;
        private GptCheckpoint.Loaded backbone;
        private Path backboneFile;
        private String backboneFingerprint;
        private RunContext context;

        Units(ExperimentConfig config, Domains domains) {
            this.config = config;
            this.domains = domains;
            this.runs = config.seeds().size() * RunVariant.of(config).size();
        }

        @Override
        public boolean finished(WorkUnit u) {
            return WorkUnits.finished(u, config, out);
        }

        /** Whether {@code s} selects an unfinished unit while some run is not finished: then the data is needed. */
        boolean anyToDo(UnitRunner.Selection s, List<WorkUnit> units) {
            List<WorkUnit> selected = s.indices() == null ? units : s.indices().stream().map(units::get).toList();
            return selected.stream().anyMatch(u -> !finished(u)) && units.stream().anyMatch(u -> !u.isBackbone() && !finished(u));
        }

        @Override
        public void run(WorkUnit u) throws IOException {
            if (u.isBackbone()) {
                backends.with(b -> BackboneSource.prepare(config.backbone(), out, b, log));
                return;
            }
            MethodSpec m = u.method();
            int index = config.backbone().pretrain() != null ? u.index() : u.index() + 1;
            log.printf("[%d/%d] %s: %s (unit %d)%n", index, runs, u.label(),
                    m.method().equals("frozen") ? "evaluating the frozen backbone" : "training " + m.method(), u.index());
            loadBackbone();
            domains.facts(backbone.metadata()); // data.json, written before the first run as a sequential run does
            context = context != null ? context : new RunContext(config, domains.load().data(), backboneFile, backends, log);
            // a run stopped before (killed) continues from its stages' saved states (MethodTraining)
            Files.createDirectories(resultFile(u).getParent());
            RunResult r = context.run(m, u.variant(), u.seed(), fingerprint(trainsUnder(u), m, u.seed(), backboneFingerprint),
                    resultFile(u).getParent());
            r.write(resultFile(u));
            log.printf(Locale.ROOT, "[%d/%d] %s: %s; %.1f s%n", index, runs, u.label(), accuracies(r), r.runSeconds());
        }

        /** A finished run's result, checked to be made with the experiment's settings now. */
        RunResult result(WorkUnit u) throws IOException {
            loadBackbone();
            Path file = resultFile(u);
            RunResult done = RunResult.read(file);
            if (!fingerprint(trainsUnder(u), u.method(), u.seed(), backboneFingerprint).equals(done.fingerprint())) {
                throw new IllegalArgumentException(file + ": made with other settings than the experiment's now "
                        + "(method, budget, domains, evaluation or backbone changed); delete " + file.getParent()
                        + " to redo that run, or use another --out");
            }
            return done;
        }

        /** The config a run trains under: its variant's, or the experiment's. */
        private ExperimentConfig trainsUnder(WorkUnit u) {
            return u.variant() != null && u.variant().config() != null ? u.variant().config() : config;
        }

        /** The facts of the data the runs used: {@code data.json}, made when missing. */
        DataFacts dataFacts() throws IOException {
            loadBackbone();
            return domains.facts(backbone.metadata());
        }

        private void loadBackbone() {
            if (backboneFile != null) {
                return;
            }
            if (!BackboneSource.finished(config.backbone(), out)) {
                throw new IllegalStateException("the backbone is not finished; its unit comes first");
            }
            Path file = BackboneSource.file(config.backbone(), out);
            backbone = BackboneSource.loadWithMetadata(file);
            backboneFingerprint = ModeCheckpoint.fingerprint(backbone.params());
            backboneFile = file;
        }

        private Path resultFile(WorkUnit u) {
            return out.resolve("runs").resolve(u.label()).resolve("result.json");
        }
    }

    /**
     * The domains' data, loaded and checked once per process ({@link ExperimentData}), and its facts
     * in {@code OUT/data.json}: written when freshly loaded and different from the file, checked
     * against the fresh data when loaded again while finished runs exist, and made (by loading the
     * data) when every run is done but the file is missing. Other processes on the folder may write
     * data.json too: it is read, compared and written under the shared lock.
     */
    private static final class Domains {
        private final ExperimentConfig config;
        private final Path out, file, runs;
        private final BackboneCorpus backbone;
        private final Tokenizer tokenizer;
        private final PrintStream log;
        private ExperimentData data;
        private DataFacts written;

        Domains(ExperimentConfig config, Path out, BackboneCorpus backbone, Tokenizer tokenizer, PrintStream log) {
            this.config = config;
            this.out = out;
            this.file = out.resolve("data.json");
            this.runs = out.resolve("runs");
            this.backbone = backbone;
            this.tokenizer = tokenizer;
            this.log = log;
        }

        ExperimentData load() throws IOException {
            if (data != null) {
                return data;
            }
            ExperimentData fresh = ExperimentData.load(config, backbone, tokenizer, log);
            fresh.checkSizes(config);
            DataFacts now = DataFacts.of(config, fresh, Map.of());
            SharedFiles.locked(out, () -> {
                DataFacts recorded = DataFacts.readIfPresent(file);
                if (recorded != null && anyFinishedRun()) {
                    List<String> changed = now.changedFrom(recorded);
                    if (!changed.isEmpty()) {
                        String name = changed.get(0);
                        throw new IllegalArgumentException("domains." + name + ": the data differs from what the finished runs in "
                                + runs + " were trained on (token fingerprint " + fingerprint(recorded, name) + " then, "
                                + fingerprint(now, name) + " now, see " + file
                                + "); delete " + runs + " to redo them on the new data, or use another --out");
                    }
                }
                return null;
            });
            data = fresh;
            return data;
        }

        /** The facts of the loaded data (written to {@code data.json}), or those recorded when nothing was loaded. */
        DataFacts facts(Map<String, String> backboneMetadata) throws IOException {
            if (written != null) {
                return written;
            }
            if (data == null) {
                DataFacts recorded = DataFacts.readIfPresent(file);
                if (recorded != null) {
                    return recorded;
                }
            }
            DataFacts fresh = DataFacts.of(config, load(), backboneMetadata);
            SharedFiles.locked(out, () -> {
                if (!fresh.equals(DataFacts.readIfPresent(file))) {
                    fresh.write(file);
                }
                return null;
            });
            written = fresh;
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
