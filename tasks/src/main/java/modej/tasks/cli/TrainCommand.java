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
import modej.model.method.AdaptedModel;
import modej.model.method.BackboneModel;
import modej.model.lora.LoraModel;
import modej.model.mode.ModeModel;
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
import modej.model.param.AdamWSettings;
import modej.model.param.Slab;
import modej.model.tokenizer.Tokenizers;
import modej.tasks.train.Adaptation;
import modej.tasks.train.RunState;
import modej.tasks.data.Batches;
import modej.tasks.data.BatchSampler;
import modej.tasks.data.DomainData;
import modej.tasks.data.MixedBatches;
import modej.tasks.train.LearningRate;
import modej.tasks.train.MemoryPlan;
import modej.tasks.train.OutputLock;
import modej.tasks.train.Validation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./modej train --method …}: adapt a frozen backbone to domains, by one method. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Adapt a frozen, pretrained backbone to domains by one method (MoDE stages, BTX stages, full, LoRA).",
                "Methods:",
                "  mode-expert   MoDE stage 1: one expert and its gate on one domain (--domain)",
                "  mode-compose  MoDE stage 2: stage-1 experts (--expert NAME=FILE), fresh gate (or --gate-init stage1), mixed data",
                "  btx-branch    BTX stage 1: a copy of the backbone's MLPs trained on one domain (--domain)",
                "  btx-mix       BTX stage 2: branches (--expert NAME=FILE) and the original MLPs as FFN experts,",
                "                a top-k router per layer (--top-k, --balance), mixed data",
                "  full          full fine-tuning of the backbone on mixed data",
                "  lora          LoRA adapters (--rank, --alpha, --targets) on mixed data",
                "  lora-matched  LoRA whose rank matches a MoDE configuration's trainable parameters",
                "Every method gets the same budget: --steps × --batch × --seq tokens."})
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--method", required = true, description = "mode-expert, mode-compose, btx-branch, btx-mix, full, lora or lora-matched.")
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
    @Option(names = "--top-k", description = "Gate (MoDE) or router (btx-mix) keeps the k largest weights; 0 = dense; "
            + "btx-mix runs only those k FFN experts per token (default: 0 for MoDE, 2 for BTX).")
    Integer topK;
    @Option(names = "--temperature", defaultValue = "1", description = "Gate softmax temperature (default: ${DEFAULT-VALUE}).")
    float temperature;
    @Option(names = "--sequence-gate", description = {"The gate at token t reads the mean of the block input over its sequence's",
            "tokens up to t (causal) instead of token t's input alone; it still decides per token."})
    boolean sequenceGate;
    @Option(names = "--balance", description = "Load-balancing loss coefficient (default: 0 for MoDE, 0.01 for BTX).")
    Float balance;
    @Option(names = "--gate-norm", description = {"The gate reads its input layer-normalised (per token, no affine parameters),",
            "so its logits do not scale with the size of the residual stream."})
    boolean gateNorm;
    @Option(names = "--gate-init", defaultValue = "fresh", description = {"mode-compose: the gate starts 'fresh' (near uniform) or from the",
            "'stage1' gates in the --expert files (each expert's learned odds against the backbone) (default: ${DEFAULT-VALUE})."})
    String gateInit;
    @Option(names = "--gate-lr-scale", defaultValue = "1", description = "The gate trains at this multiple of --lr (default: ${DEFAULT-VALUE}).")
    float gateLrScale;
    @Option(names = "--rank", defaultValue = "8", description = "lora: adapter rank (default: ${DEFAULT-VALUE}).")
    int rank;
    @Option(names = "--alpha", defaultValue = "16", description = "lora: scale = alpha / rank (default: ${DEFAULT-VALUE}).")
    float alpha;
    @Option(names = "--targets", defaultValue = "qkv,attn_proj,fc,fc_proj", split = ",",
            description = "lora: projections to adapt (default: ${DEFAULT-VALUE}).")
    List<String> targets;
    @Option(names = "--match-experts", defaultValue = "2",
            description = "lora-matched: match MoDE with this many experts (and --blocks, --expert-layers, stage 2 trains all) (default: ${DEFAULT-VALUE}).")
    int matchExperts;
    @Option(names = "--steps", defaultValue = "300", description = "Training steps (default: ${DEFAULT-VALUE}).")
    int steps;
    @Option(names = "--batch", defaultValue = "8", description = "Sequences per step (default: ${DEFAULT-VALUE}).")
    int batch;
    @Option(names = "--seq", description = "Tokens per sequence (default: the backbone's context).")
    Integer seq;
    @Option(names = "--lr", defaultValue = "1e-3", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    float lr;
    @Option(names = "--min-lr", defaultValue = "1e-4", description = "Final learning rate (default: ${DEFAULT-VALUE}).")
    float minLr;
    @Option(names = "--warmup-steps", defaultValue = "30", description = "Warm-up steps (default: ${DEFAULT-VALUE}).")
    int warmupSteps;
    @Option(names = "--eval-every", defaultValue = "0", description = "Validate every N steps on the first --data domain "
            + "(mode-expert: --domain); 0 = only at the end, where a mixed method is validated on every domain (default: ${DEFAULT-VALUE}).")
    int evalEvery;
    @Option(names = "--eval-batches", defaultValue = "8", description = "Validation batches (default: ${DEFAULT-VALUE}).")
    int evalBatches;
    @Option(names = "--validation", defaultValue = "0.1", description = "Held-out fraction of each domain, by content hash (default: ${DEFAULT-VALUE}).")
    double validation;
    @Option(names = "--seed", defaultValue = "1337", description = "Seed for new weights and batches (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--out", description = "Output checkpoint (default: runs/<method>[-<domain>].safetensors).")
    Path out;
    @Option(names = "--checkpoint-every", defaultValue = "0", paramLabel = "N",
            description = "Save the run's state (trainable weights, AdamW moments, step) to OUT.resume every N steps; "
                    + "0 = only when stopped. Ctrl-C always saves it at the end of the step (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;
    @Option(names = "--stop-after", paramLabel = "STEP",
            description = "Stop after this step as if interrupted, saving OUT.resume (e.g. to split a run over time-limited jobs).")
    Integer stopAfter;
    @Option(names = "--grad-clip", defaultValue = "0", paramLabel = "NORM",
            description = "Scale the gradients down when their global L2 norm exceeds NORM, e.g. 1.0; 0 = off (default: ${DEFAULT-VALUE}).")
    float gradClip;
    @Option(names = "--resume", description = "Continue the stopped run in OUT.resume; the other options must be "
            + "those of the stopped run (checked).")
    boolean resume;
    @Option(names = "--force", description = "Train even if OUT already holds a model (it is replaced when this run finishes).")
    boolean force;
    @Mixin
    BackendOptions backendOptions;

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
        if ((method.equals("lora") && rank < 1) || (method.startsWith("mode") && (blocks < 1 || expertLayers < 1))) {
            throw new UserError(method.equals("lora") ? "--rank must be >= 1, got " + rank
                    : "--blocks and --expert-layers must be >= 1, got " + blocks + " and " + expertLayers);
        }
        GptCheckpoint.Loaded loaded = GptCheckpoint.load(backbone, false);
        GptParams base = loaded.params();
        int seqLen = seq != null ? seq : base.config().context();
        if (seqLen > base.config().context()) {
            throw new UserError("--seq " + seqLen + " exceeds the backbone's context length " + base.config().context());
        }
        Adaptation.Settings s = new Adaptation.Settings(batch, seqLen, steps, new LearningRate(lr, minLr, warmupSteps, steps),
                AdamWSettings.DEFAULT, evalEvery, evalBatches, seed, gradClip);
        DomainData domains = DomainData.load(data, validation, loaded.tokenizer());
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
        if (checkpointEvery < 0) {
            throw new UserError("--checkpoint-every must be >= 0, got " + checkpointEvery);
        }
        if (stopAfter != null && stopAfter < 1) {
            throw new UserError("--stop-after must be >= 1, got " + stopAfter);
        }
        RunState state = new RunState(RunState.beside(file), checkpointEvery, stopAfter == null ? Integer.MAX_VALUE : stopAfter);
        RunState.Saved resumed = resumeFrom(state, provenance, s, model);
        var counts = model.counts();
        domains.describe().forEach(System.err::println);
        System.err.printf("%s: %,d parameters, %,d trainable, %,d active per token%n", method, counts.total(),
                counts.trainable(), counts.activePerToken());
        if (gradClip > 0) {
            System.err.printf("%s: gradients clipped at global norm %s%n", method, gradClip);
        }
        try (Backend be = backendOptions.backend()) {
            Adaptation.Outcome o = StopOnInterrupt.run(state::requestStop, () -> Adaptation.train(model, s, be, batches, held,
                    file, provenance, System.err, (step, loss) -> { }, state, resumed));
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
                validateEveryDomain(model, domains, seqLen, be);
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
    private RunState.Saved resumeFrom(RunState state, Map<String, String> provenance, Adaptation.Settings s, AdaptedModel model) {
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

    private int topK() {
        return topK != null ? topK : method.startsWith("btx") ? 2 : 0;
    }

    private float balance() {
        return balance != null ? balance : method.startsWith("btx") ? 0.01f : 0f;
    }

    /** The options that shape the model, for the checkpoint's metadata and the --resume check. */
    private String methodOptions() {
        return switch (method) {
            case "btx-branch" -> "domain=" + domain;
            case "btx-mix" -> String.format(java.util.Locale.ROOT, "experts=%s train=%s topK=%d balance=%s", experts, trainWhat,
                    topK(), balance());
            case "mode-expert", "mode-compose" -> String.format(java.util.Locale.ROOT,
                    "domain=%s experts=%s train=%s blocks=%d expertLayers=%d init=%s topK=%d temperature=%s sequenceGate=%s balance=%s"
                            + (gateNorm ? " gateNorm=true" : "") + (gateInit.equals("fresh") ? "" : " gateInit=" + gateInit)
                            + (gateLrScale == 1f ? "" : " gateLrScale=" + gateLrScale),
                    domain, experts, trainWhat, blocks, expertLayers, init, topK(), temperature, sequenceGate, balance());
            case "lora" -> "rank=" + rank + " alpha=" + alpha + " targets=" + targets;
            case "lora-matched" -> "alpha=" + alpha + " targets=" + targets + " matchExperts=" + matchExperts + " blocks="
                    + blocks + " expertLayers=" + expertLayers;
            default -> "";
        };
    }

    /** A mixed method's held-out loss and accuracy on each domain, after training. */
    private void validateEveryDomain(AdaptedModel model, DomainData domains, int seqLen, Backend be) {
        Runner eval = new Runner(model.graphs(batch, seqLen), be, null);
        for (String d : domains.names()) {
            int[] held = domains.get(d).validation();
            if (held.length < seqLen + 1) {
                System.out.printf("validation (%s): n/a, the held-out split has %d tokens, fewer than one window of %d%n",
                        d, held.length, seqLen + 1);
                continue;
            }
            Validation.Result r = Validation.run(eval, held, batch, seqLen, evalBatches);
            System.out.printf("validation (%s): loss %.4f, accuracy %.4f%n", d, r.loss(), r.accuracy());
        }
    }

    private AdaptedModel build(GptParams base) {
        GateConfig gate = new GateConfig(topK(), temperature, sequenceGate, balance(), gateNorm);
        if (!(gateLrScale > 0) || Float.isInfinite(gateLrScale)) {
            throw new UserError("--gate-lr-scale must be > 0, got " + gateLrScale);
        }
        return switch (method) {
            case "full" -> new BackboneModel(base, true);
            case "lora" -> new LoraModel("lora", base, new LoraParams(base.config(), rank, alpha, Set.copyOf(targets), seed));
            case "lora-matched" -> {
                ModeConfig shape = new ModeConfig(blocks, expertLayers, names(matchExperts), gate, "random");
                ModeModel reference = new ModeModel("mode-compose", new ModeParams(base, shape, seed), true, true);
                long mode = reference.counts().trainable();
                int r = LoraModel.matchedRank(base.config(), Set.copyOf(targets), mode);
                long loraCount = LoraParams.parameterCount(base.config(), r, Set.copyOf(targets));
                System.err.printf("lora-matched: MoDE (%d experts, %d blocks, %d layers each) trains %,d parameters; "
                        + "LoRA rank %d trains %,d%n", matchExperts, blocks, expertLayers, mode, r, loraCount);
                yield new LoraModel("lora-matched", base, new LoraParams(base.config(), r, alpha, Set.copyOf(targets), seed));
            }
            case "mode-expert" -> {
                if (domain == null) {
                    throw new UserError("--method mode-expert needs --domain NAME");
                }
                ModeConfig cfg = new ModeConfig(blocks, expertLayers, List.of(domain), gate, init);
                ModeModel expert = new ModeModel("mode-expert", new ModeParams(base, cfg, seed), true, true);
                expert.params().gate().learningRateScale(gateLrScale);
                yield expert;
            }
            case "mode-compose" -> compose(base, gate);
            case "btx-branch" -> {
                if (domain == null) {
                    throw new UserError("--method btx-branch needs --domain NAME");
                }
                yield new BtxModel("btx-branch", new BtxParams(base, BtxConfig.branch(domain), seed), true, false);
            }
            case "btx-mix" -> btxMix(base);
            default -> throw new UserError("unknown --method '" + method
                    + "'; valid: mode-expert, mode-compose, btx-branch, btx-mix, full, lora, lora-matched");
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
        ModeParams params = new ModeParams(base, cfg, slabs, seed);
        if (gateInit.equals("stage1")) {
            params.composeGate(gates);
        }
        ModeModel model = new ModeModel("mode-compose", params, trainWhat.equals("all"), true);
        params.gate().learningRateScale(gateLrScale);
        return model;
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
            cfg = new BtxConfig(List.copyOf(branches.keySet()), true, topK(), balance());
        } catch (IllegalArgumentException ex) {
            throw new UserError("--top-k/--balance/--expert: " + ex.getMessage());
        }
        return new BtxModel("btx-mix", new BtxParams(base, cfg, branches, seed), trainWhat.equals("all"), true);
    }

    private static List<String> names(int n) {
        Set<String> s = new LinkedHashSet<>();
        for (int i = 0; i < n; i++) {
            s.add("e" + i);
        }
        return List.copyOf(s);
    }
}
