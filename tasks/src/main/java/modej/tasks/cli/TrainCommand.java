package modej.tasks.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

import modej.engine.device.Backend;
import modej.engine.plan.ExecutionPlan;
import modej.model.method.AdaptedModel;
import modej.model.method.BackboneModel;
import modej.model.lora.LoraModel;
import modej.model.mode.ModeModel;
import modej.model.moelora.MoeLoraConfig;
import modej.model.moelora.MoeLoraModel;
import modej.model.moelora.MoeLoraParams;
import modej.model.btx.BtxConfig;
import modej.model.btx.BtxModel;
import modej.model.btx.BtxParams;
import modej.model.checkpoint.GptCheckpoint;
import modej.model.checkpoint.ModeCheckpoint;
import modej.model.gpt.GptParams;
import modej.model.lora.LoraParams;
import modej.model.gpt.Runner;
import modej.model.mode.GateConfig;
import modej.model.mode.ModeConfig;
import modej.model.mode.ModeParams;
import modej.model.param.Slab;
import modej.model.tokenizer.Tokenizers;
import modej.tasks.train.Adaptation;
import modej.tasks.train.RunState;
import modej.tasks.train.TrainingSettings;
import modej.tasks.data.Batches;
import modej.tasks.data.BatchSampler;
import modej.tasks.data.DomainData;
import modej.tasks.data.MixedBatches;
import modej.tasks.train.MemoryPlan;
import modej.tasks.train.OutputLock;
import modej.tasks.train.Validation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./modej train --method …}: adapt a frozen backbone to domains, by one method. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Adapt a frozen, pretrained backbone to domains by one method (MoDE stages, BTX stages, full, LoRA, MoE-LoRA).",
                "Methods:",
                "  mode-expert   MoDE stage 1: one expert and its gate on one domain (--domain)",
                "  mode-compose  MoDE stage 2: stage-1 experts (--expert NAME=FILE), fresh gate (or --gate-init stage1), mixed data",
                "  btx-branch    BTX stage 1: a copy of the backbone's MLPs trained on one domain (--domain)",
                "  btx-mix       BTX stage 2: branches (--expert NAME=FILE) and the original MLPs as FFN experts,",
                "                a top-k router per layer (--top-k, --balance), mixed data",
                "  full          full fine-tuning of the backbone on mixed data",
                "  lora          LoRA adapters (--rank, --alpha, --targets) on mixed data",
                "  lora-matched  LoRA whose rank matches a MoDE configuration's trainable parameters",
                "  moe-lora      MoE-LoRA: LoRA experts per projection, a top-k router per layer",
                "                (--lora-experts, --rank, --alpha, --targets, --top-k, --balance)",
                "Every method gets the same budget: --steps × --batch × --seq tokens.",
                "--eval-every validates on the first --data domain (mode-expert: --domain);",
                "at the end, a mixed method is validated on every domain.",
                "The run's state (--checkpoint-every, --stop-after, Ctrl-C) is saved to",
                "OUT.resume, and deleted when the run finishes and saves OUT."})
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--method", required = true, description = "mode-expert, mode-compose, btx-branch, btx-mix, full, lora, lora-matched or moe-lora.")
    String method;
    @Option(names = "--backbone", required = true, description = "Backbone checkpoint (from ./modej pretrain).")
    Path backbone;
    @Option(names = "--data", required = true, paramLabel = "NAME=SPEC",
            description = {"A domain and its corpus; repeat for each domain. SPEC is a file, folder or glob of text,",
                    "jsonl:FILE?template={question}\\n{answer} (one document per JSON line, fields filled in),",
                    "zip:FILE?ext=.java (one document per matching zip or jar entry), or a built-in corpus:",
                    "code (Java sources jars fetched by Maven), english (alias wordnet: WordNet 3.1 glosses),",
                    "math?count=20000&seed=0 (generated word problems with worked answers).",
                    "E.g. --data code=code --data math=math --data english=english"})
    List<String> data;
    @Option(names = "--domain", description = "mode-expert, btx-branch: the domain this expert is trained on.")
    String domain;
    @Option(names = "--expert", paramLabel = "NAME=FILE", description = "mode-compose, btx-mix: a stage-1 checkpoint; repeat per expert.")
    List<String> experts = new ArrayList<>();
    @Option(names = "--train", defaultValue = "all", description = "mode-compose: 'all' (experts and gate) or 'gate'; "
            + "btx-mix: 'all' (experts and routers) or 'router' (default: ${DEFAULT-VALUE}).")
    String trainWhat;
    @Option(names = "--blocks", defaultValue = "2", description = "MoDE blocks the backbone is split into (default: ${DEFAULT-VALUE}).")
    int blocks;
    @Option(names = "--expert-layers", defaultValue = "1", description = "Expert layers per block, k (default: ${DEFAULT-VALUE}).")
    int expertLayers;
    @Option(names = "--init", defaultValue = "copy:last", description = "Expert init: random, copy:first, copy:last or copy:i,j (default: ${DEFAULT-VALUE}).")
    String init;
    @Option(names = "--top-k", description = "MoDE's gate, BTX's or MoE-LoRA's router keeps the k largest weights, renormalised; "
            + "0 = dense; btx-mix runs only those k FFN experts per token (default: 0 for MoDE, 2 for BTX and moe-lora).")
    Integer topK;
    @Option(names = "--temperature", defaultValue = "1", description = "Gate softmax temperature (default: ${DEFAULT-VALUE}).")
    float temperature;
    @Option(names = "--sequence-gate", description = {"The gate at token t reads the mean of the block input over its sequence's",
            "tokens up to t (causal) instead of token t's input alone; it still decides per token."})
    boolean sequenceGate;
    @Option(names = "--balance", description = "Load-balancing loss coefficient (default: 0 for MoDE, 0.01 for BTX and moe-lora).")
    Float balance;
    @Option(names = "--gate-norm", description = {"The gate reads its input layer-normalised (per token, no affine parameters),",
            "so its logits do not scale with the size of the residual stream."})
    boolean gateNorm;
    @Option(names = "--gate-init", defaultValue = "fresh", description = {"mode-compose: the gate starts 'fresh' (near uniform) or from the",
            "'stage1' gates in the --expert files (each expert's learned odds against the backbone) (default: ${DEFAULT-VALUE})."})
    String gateInit;
    @Option(names = "--gate-lr-scale", defaultValue = "1", description = "The gate trains at this multiple of --lr (default: ${DEFAULT-VALUE}).")
    float gateLrScale;
    @Option(names = "--rank", defaultValue = "8", description = "lora, moe-lora: adapter (expert) rank (default: ${DEFAULT-VALUE}).")
    int rank;
    @Option(names = "--alpha", defaultValue = "16", description = "lora, moe-lora: scale = alpha / rank (default: ${DEFAULT-VALUE}).")
    float alpha;
    @Option(names = "--targets", defaultValue = "qkv,attn_proj,fc,fc_proj", split = ",",
            description = "lora, moe-lora: projections to adapt (default: ${DEFAULT-VALUE}).")
    List<String> targets;
    @Option(names = "--lora-experts", defaultValue = "4",
            description = "moe-lora: LoRA experts per adapted projection, E (default: ${DEFAULT-VALUE}).")
    int loraExperts;
    @Option(names = "--match-experts", defaultValue = "2",
            description = "lora-matched: match MoDE with this many experts (and --blocks, --expert-layers, stage 2 trains all) (default: ${DEFAULT-VALUE}).")
    int matchExperts;
    @Mixin
    BatchOptions batchOptions;
    @Mixin
    TrainingOptions training = new TrainingOptions().withSteps(300).withWarmupSteps(30).withEvalEvery(0).withCheckpointEvery(0);
    @Mixin
    EvaluationOptions evaluation = new EvaluationOptions().withEvalBatches(8).withValidation(0.1);
    @Option(names = "--out", description = "Output checkpoint (default: runs/<method>[-<domain>].safetensors).")
    Path out;
    @Option(names = "--stop-after", paramLabel = "STEP",
            description = "Stop after this step as if interrupted, saving OUT.resume (e.g. to split a run over time-limited jobs).")
    Integer stopAfter;
    @Option(names = "--resume", description = "Continue the stopped run in OUT.resume; the other options must be "
            + "those of the stopped run (checked).")
    boolean resume;
    @Option(names = "--force", description = "Train even if OUT already holds a model (it is replaced when this run finishes).")
    boolean force;
    @Mixin
    BackendOptions backendOptions;
    @Mixin
    PlacementOptions placement;

    @Override
    public Integer call() throws Exception {
        if (resume && force) {
            throw new UserError("--resume and --force exclude each other: --resume continues a stopped run, "
                    + "--force starts a new one over a finished one");
        }
        Path file = out != null ? out : Path.of("runs", method + (domain != null && oneDomain() ? "-" + domain : "") + ".safetensors");
        if (Files.isDirectory(file)) {
            throw new UserError("--out " + file + " is a folder; give the checkpoint's file name, e.g. " + file.resolve(method + ".safetensors"));
        }
        // the output: locked (which creates its folder and proves it writable), and not a finished run
        try (OutputLock lock = OutputLock.acquire(file.resolveSibling(file.getFileName() + ".lock"), "--out " + file)) {
            if (!resume && !force && Files.exists(file)) {
                throw new UserError(file + " exists (a finished run); pass --force to train a new one over it, or another --out");
            }
            return train(file);
        }
    }

    private int train(Path file) throws Exception {
        placement.check();
        boolean adapters = method.equals("lora") || method.equals("moe-lora");
        if ((adapters && rank < 1) || (method.startsWith("mode") && (blocks < 1 || expertLayers < 1))) {
            throw new UserError(adapters ? "--rank must be >= 1, got " + rank
                    : "--blocks and --expert-layers must be >= 1, got " + blocks + " and " + expertLayers);
        }
        GptCheckpoint.Loaded loaded = GptCheckpoint.load(backbone, false);
        GptParams base = loaded.params();
        int seqLen = batchOptions.seq(base.config().context());
        int batch = batchOptions.batch;
        long seed = training.seed;
        if (seqLen > base.config().context()) {
            throw new UserError("--seq " + seqLen + " exceeds the backbone's context length " + base.config().context());
        }
        TrainingSettings s = training.settings(batch, seqLen, evaluation.evalBatches);
        DomainData domains = DomainData.load(data, evaluation.validation, loaded.tokenizer());
        AdaptedModel model = build(base);
        int extraLayers = model instanceof ModeModel m
                ? m.params().config().experts().size() * m.params().config().blocks() * m.params().config().layersPerExpertBlock()
                // BTX: each FFN expert beyond the first keeps an MLP's activations per layer; counted as a whole layer (over)
                : model instanceof BtxModel b ? (b.params().config().sources() - 1) * base.config().layers() : 0;
        MemoryPlan.require(base.config(), batch, seqLen, MemoryPlan.adaptationBytes(base.config(), extraLayers,
                model.counts().total(), model.counts().trainable(), batch, seqLen), "--batch or --seq");
        Batches batches;
        int[] held;
        if (oneDomain()) {
            batches = new BatchSampler(domains.get(domain).train(), batch, seqLen, seed);
            held = domains.get(domain).validation();
        } else {
            batches = new MixedBatches(domains.names().stream().map(d -> domains.get(d).train()).toList(), batch, seqLen, seed);
            held = domains.get(domains.names().get(0)).validation();
        }
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("modej.backbone.file", backbone.toString());
        provenance.put(Tokenizers.METADATA_KEY, loaded.tokenizer().name());
        provenance.put(ModeCheckpoint.BACKBONE_KEY, ModeCheckpoint.fingerprint(base));
        provenance.put("modej.data", String.join(" ", data));
        provenance.putAll(domains.metadata());
        provenance.put("modej.train.method_options", methodOptions());
        provenance.put("modej.java", Runtime.version().toString());
        int checkpointEvery = training.checkpointEvery;
        if (checkpointEvery < 0) {
            throw new UserError("--checkpoint-every must be >= 0, got " + checkpointEvery);
        }
        if (stopAfter != null && stopAfter < 1) {
            throw new UserError("--stop-after must be >= 1, got " + stopAfter);
        }
        RunState state = new RunState(RunState.beside(file), checkpointEvery, stopAfter == null ? Integer.MAX_VALUE : stopAfter);
        RunState.Saved resumed = resumeFrom(state, provenance, s, model);
        try (Backend be = backendOptions.backend()) {
            ExecutionPlan plan = placement.plan(model, be); // the config checked against the model and devices, before any output
            var counts = model.counts();
            domains.describe().forEach(System.err::println);
            System.err.printf("%s: %,d parameters, %,d trainable, %,d active per token%n", method, counts.total(),
                    counts.trainable(), counts.activePerToken());
            if (s.gradClip() > 0) {
                System.err.printf("%s: gradients clipped at global norm %s%n", method, s.gradClip());
            }
            Adaptation.Outcome o = StopOnInterrupt.run(state::requestStop, () -> Adaptation.train(model, s, be, plan, batches,
                    held, file, provenance, System.err, (step, loss) -> { }, state, resumed));
            if (!o.finished()) {
                System.out.printf("%s: stopped; state saved to %s (continue with the same options and --resume)%n",
                        method, state.file());
                return 0;
            }
            System.out.printf("%s: trained %,d tokens in %.1f s (%,.0f tok/s, graph buffers %.1f MiB, peak heap %,d MiB); "
                    + "saved %s%n", method, o.tokens(), o.seconds(), o.tokensPerSecond(), o.bufferBytes() / 1048576.0,
                    o.peakHeapMiB(), file);
            if (oneDomain() || domains.names().size() == 1) {
                if (o.last() != null) {
                    System.out.printf("validation (%s): loss %.4f, accuracy %.4f%n",
                            oneDomain() ? domain : domains.names().get(0), o.last().loss(), o.last().accuracy());
                }
            } else {
                validateEveryDomain(model, domains, seqLen, be, plan);
            }
            if (backendOptions.profile) {
                ProfilePrinter.print(System.err, be);
            }
        }
        return 0;
    }

    /**
     * With --resume, the stopped run's state, checked against this run's options and data and
     * restored into {@code model}; without, null, after making sure no stopped run would be lost.
     */
    private RunState.Saved resumeFrom(RunState state, Map<String, String> provenance, TrainingSettings s, AdaptedModel model) {
        boolean saved = Files.exists(state.file());
        if (!resume) {
            if (saved) {
                throw new UserError("a stopped run's state is at " + state.file() + ": continue it with --resume "
                        + "(and the same options), or delete it to start again");
            }
            return null;
        }
        if (!saved) {
            throw new UserError("--resume: no stopped run at " + state.file());
        }
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("modej.method", model.method());
        expected.put("modej.train.settings", s.toString());
        expected.put("modej.train.method_options", provenance.get("modej.train.method_options"));
        expected.put(ModeCheckpoint.BACKBONE_KEY, provenance.get(ModeCheckpoint.BACKBONE_KEY));
        provenance.forEach((key, value) -> {
            if (key.startsWith("modej.data.") && key.endsWith(".fingerprint")) {
                expected.put(key, value);
            }
        });
        try {
            RunState.Saved r = RunState.Saved.read(state.file(), expected);
            r.restore(model);
            System.err.printf("%s: continuing the stopped run after step %d%n", method, r.step());
            return r;
        } catch (IllegalArgumentException | modej.model.checkpoint.CheckpointException e) {
            throw new UserError("--resume: " + e.getMessage());
        }
    }

    /** Whether the method trains on one domain (--domain): a stage 1. */
    private boolean oneDomain() {
        return method.equals("mode-expert") || method.equals("btx-branch");
    }

    /** The options that shape the model, for the checkpoint's metadata and the --resume check. */
    private String methodOptions() {
        return switch (method) {
            case "btx-branch" -> "domain=" + domain;
            case "btx-mix" -> String.format(java.util.Locale.ROOT, "experts=%s train=%s topK=%d balance=%s", experts, trainWhat,
                    gateTopK(), gateBalance());
            case "mode-expert", "mode-compose" -> String.format(java.util.Locale.ROOT,
                    "domain=%s experts=%s train=%s blocks=%d expertLayers=%d init=%s topK=%d temperature=%s sequenceGate=%s balance=%s"
                            + (gateNorm ? " gateNorm=true" : "") + (gateInit.equals("fresh") ? "" : " gateInit=" + gateInit)
                            + (gateLrScale == 1f ? "" : " gateLrScale=" + gateLrScale),
                    domain, experts, trainWhat, blocks, expertLayers, init, gateTopK(), temperature, sequenceGate, gateBalance());
            case "lora" -> "rank=" + rank + " alpha=" + alpha + " targets=" + targets;
            case "moe-lora" -> moeLora().describe();
            case "lora-matched" -> "alpha=" + alpha + " targets=" + targets + " matchExperts=" + matchExperts + " blocks="
                    + blocks + " expertLayers=" + expertLayers;
            default -> "";
        };
    }

    /** A mixed method's held-out loss and accuracy on each domain, after training. */
    private void validateEveryDomain(AdaptedModel model, DomainData domains, int seqLen, Backend be, ExecutionPlan plan) {
        int batch = batchOptions.batch;
        Runner eval = new Runner(model.graphs(batch, seqLen), be, null, plan);
        for (String d : domains.names()) {
            int[] held = domains.get(d).validation();
            if (held.length < seqLen + 1) {
                System.out.printf("validation (%s): n/a, the held-out split has %d tokens, fewer than one window of %d%n",
                        d, held.length, seqLen + 1);
                continue;
            }
            Validation.Result r = Validation.run(eval, held, batch, seqLen, evaluation.evalBatches);
            System.out.printf("validation (%s): loss %.4f, accuracy %.4f%n", d, r.loss(), r.accuracy());
        }
    }

    private AdaptedModel build(GptParams base) {
        if (method.equals("moe-lora")) {
            return new MoeLoraModel(base, new MoeLoraParams(base.config(), moeLora(), training.seed));
        }
        GateConfig gate = new GateConfig(gateTopK(), temperature, sequenceGate, gateBalance(), gateNorm);
        if (!(gateLrScale > 0) || Float.isInfinite(gateLrScale)) {
            throw new UserError("--gate-lr-scale must be > 0, got " + gateLrScale);
        }
        return switch (method) {
            case "full" -> new BackboneModel(base, true);
            case "lora" -> new LoraModel("lora", base, new LoraParams(base.config(), rank, alpha, Set.copyOf(targets), training.seed));
            case "lora-matched" -> {
                ModeConfig shape = new ModeConfig(blocks, expertLayers, names(matchExperts), gate, "random");
                ModeModel reference = new ModeModel("mode-compose", new ModeParams(base, shape, training.seed), true, true);
                long mode = reference.counts().trainable();
                int r = LoraModel.matchedRank(base.config(), Set.copyOf(targets), mode);
                long loraCount = LoraParams.parameterCount(base.config(), r, Set.copyOf(targets));
                System.err.printf("lora-matched: MoDE (%d experts, %d blocks, %d layers each) trains %,d parameters; "
                        + "LoRA rank %d trains %,d%n", matchExperts, blocks, expertLayers, mode, r, loraCount);
                yield new LoraModel("lora-matched", base, new LoraParams(base.config(), r, alpha, Set.copyOf(targets), training.seed));
            }
            case "mode-expert" -> {
                if (domain == null) {
                    throw new UserError("--method mode-expert needs --domain NAME");
                }
                ModeConfig cfg = new ModeConfig(blocks, expertLayers, List.of(domain), gate, init);
                ModeModel expert = new ModeModel("mode-expert", new ModeParams(base, cfg, training.seed), true, true);
                expert.params().gate().learningRateScale(gateLrScale);
                yield expert;
            }
            case "mode-compose" -> compose(base, gate);
            case "btx-branch" -> {
                if (domain == null) {
                    throw new UserError("--method btx-branch needs --domain NAME");
                }
                yield new BtxModel("btx-branch", new BtxParams(base, BtxConfig.branch(domain), training.seed), true, false);
            }
            case "btx-mix" -> btxMix(base);
            default -> throw new UserError("unknown --method '" + method + "'; valid: mode-expert, mode-compose, btx-branch, "
                    + "btx-mix, full, lora, lora-matched, moe-lora");
        };
    }

    private AdaptedModel compose(GptParams base, GateConfig gate) {
        if (experts.isEmpty()) {
            throw new UserError("--method mode-compose needs --expert NAME=FILE for each stage-1 expert");
        }
        if (!trainWhat.equals("all") && !trainWhat.equals("gate")) {
            throw new UserError("--train must be 'all' or 'gate', got '" + trainWhat + "'");
        }
        if (!gateInit.equals("fresh") && !gateInit.equals("stage1")) {
            throw new UserError("--gate-init must be 'fresh' or 'stage1', got '" + gateInit + "'");
        }
        Map<String, Slab> slabs = new LinkedHashMap<>(), gates = new LinkedHashMap<>();
        ModeConfig first = null;
        for (String e : experts) {
            int eq = e.indexOf('=');
            if (eq <= 0) {
                throw new UserError("--expert " + e + ": expected NAME=FILE");
            }
            var loaded = ModeCheckpoint.loadExpert(Path.of(e.substring(eq + 1)), e.substring(0, eq), base);
            if (first != null && (first.blocks() != loaded.config().blocks()
                    || first.layersPerExpertBlock() != loaded.config().layersPerExpertBlock())) {
                throw new UserError("--expert " + e + ": trained with blocks=" + loaded.config().blocks() + ", layers="
                        + loaded.config().layersPerExpertBlock() + ", unlike the first expert");
            }
            GateConfig was = loaded.config().gate();
            if (gateInit.equals("stage1") && (loaded.config().experts().size() != 1 || was.temperature() != temperature
                    || was.sequenceLevel() != sequenceGate || was.normalize() != gateNorm)) {
                // the stage-1 odds mean the same here only for the same gate input and temperature
                throw new UserError("--gate-init stage1: " + e + " is not a one-expert stage-1 checkpoint with this gate's "
                        + "--temperature, --sequence-gate and --gate-norm (it has " + loaded.config().experts().size()
                        + " experts, temperature " + was.temperature() + ", sequence gate " + was.sequenceLevel()
                        + ", gate norm " + was.normalize() + ")");
            }
            first = first == null ? loaded.config() : first;
            slabs.put(loaded.name(), loaded.slab());
            gates.put(loaded.name(), loaded.gate());
        }
        ModeConfig cfg = new ModeConfig(first.blocks(), first.layersPerExpertBlock(), List.copyOf(slabs.keySet()), gate, first.init());
        ModeParams params = new ModeParams(base, cfg, slabs, training.seed);
        if (gateInit.equals("stage1")) {
            params.composeGate(gates);
        }
        ModeModel model = new ModeModel("mode-compose", params, trainWhat.equals("all"), true);
        params.gate().learningRateScale(gateLrScale);
        return model;
    }

    /** --top-k as given, else the method's default: 2 for BTX and moe-lora, 0 (dense) for MoDE. */
    private int gateTopK() {
        return topK != null ? topK : routesSparsely() ? 2 : 0;
    }

    /** --balance as given, else the method's default: 0.01 for BTX and moe-lora, 0 for MoDE. */
    private float gateBalance() {
        return balance != null ? balance : routesSparsely() ? 0.01f : 0f;
    }

    private boolean routesSparsely() {
        return method.startsWith("btx") || method.equals("moe-lora");
    }

    /** MoE-LoRA's shape from the options (its checks give one-line errors). */
    private MoeLoraConfig moeLora() {
        try {
            return new MoeLoraConfig(loraExperts, rank, alpha, new LinkedHashSet<>(targets), gateTopK(), gateBalance());
        } catch (IllegalArgumentException e) {
            throw new UserError("--method moe-lora: " + e.getMessage());
        }
    }

    /** BTX stage 2: the branches in --expert, the original MLPs' copy, fresh routers. */
    private AdaptedModel btxMix(GptParams base) {
        if (experts.isEmpty()) {
            throw new UserError("--method btx-mix needs --expert NAME=FILE for each btx-branch checkpoint");
        }
        if (!trainWhat.equals("all") && !trainWhat.equals("router")) {
            throw new UserError("--train must be 'all' or 'router' for btx-mix, got '" + trainWhat + "'");
        }
        Map<String, Slab> branches = new LinkedHashMap<>();
        for (String e : experts) {
            int eq = e.indexOf('=');
            if (eq <= 0) {
                throw new UserError("--expert " + e + ": expected NAME=FILE");
            }
            String name = e.substring(0, eq);
            if (branches.containsKey(name)) {
                throw new UserError("--expert " + e + ": expert '" + name + "' given twice");
            }
            branches.put(name, BtxModel.loadBranch(Path.of(e.substring(eq + 1)), name, base));
        }
        BtxConfig cfg;
        try {
            cfg = new BtxConfig(List.copyOf(branches.keySet()), true, gateTopK(), gateBalance());
        } catch (IllegalArgumentException ex) {
            throw new UserError("--top-k/--balance/--expert: " + ex.getMessage());
        }
        return new BtxModel("btx-mix", new BtxParams(base, cfg, branches, training.seed), trainWhat.equals("all"), true);
    }

    private static List<String> names(int n) {
        Set<String> s = new LinkedHashSet<>();
        for (int i = 0; i < n; i++) {
            s.add("e" + i);
        }
        return List.copyOf(s);
    }
}
