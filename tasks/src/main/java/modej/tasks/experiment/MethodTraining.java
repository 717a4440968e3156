package modej.tasks.experiment;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import modej.engine.device.Backend;
import modej.model.method.AdaptedModel;
import modej.model.method.BackboneModel;
import modej.model.lora.LoraModel;
import modej.model.moelora.MoeLoraConfig;
import modej.model.moelora.MoeLoraModel;
import modej.model.moelora.MoeLoraParams;
import modej.model.mode.ModeModel;
import modej.model.btx.BtxConfig;
import modej.model.btx.BtxModel;
import modej.model.btx.BtxParams;
import modej.model.checkpoint.Checkpoint;
import modej.model.checkpoint.GptCheckpoint;
import modej.model.checkpoint.Safetensors;
import modej.model.checkpoint.SlabFiles;
import modej.model.gpt.GptParams;
import modej.model.lora.LoraParams;
import modej.model.mode.GateConfig;
import modej.model.mode.ModeConfig;
import modej.model.mode.ModeParams;
import modej.model.param.AdamWSettings;
import modej.model.param.Slab;
import modej.model.tokenizer.Tokenizers;
import modej.tasks.train.Adaptation;
import modej.tasks.train.RunState;
import modej.tasks.data.BatchSampler;
import modej.tasks.data.Batches;
import modej.tasks.data.DomainData;
import modej.tasks.train.LearningRate;
import modej.tasks.train.LossCurve;
import modej.tasks.train.TrainingSettings;

/**
 * Trains one method for one seed within the experiment's budget, on a fresh copy of the backbone.
 * Full fine-tuning and LoRA train {@code budget.steps} steps on the weighted mix of the domains.
 * MoDE trains, for each of its E experts, {@code (steps − stage2Steps) / E} steps of stage 1 (the
 * expert and its own gate on the expert's domain), then composes the experts with a fresh gate (or
 * one composed from the stage-1 gates, {@code gateInit: stage1}) and trains the rest of the steps
 * as stage 2 on the mix; BTX splits its steps the same way (stage 1: one domain's copy of the MLPs
 * per expert; stage 2: the FFN experts and routers on the mix); so every method trains
 * {@code steps × batch × seq} tokens. The frozen backbone trains nothing.
 */
final class MethodTraining {

    /**
     * A trained model and how it was trained.
     *
     * @param trainable parameters the method trained in any stage (MoDE: experts and the final gate)
     * @param rows      training rows drawn from each domain over all stages
     */
    record Trained(AdaptedModel model, String evalKind, Path checkpoint, long trainable, List<RunResult.Stage> stages,
                   List<RunResult.LossPoint> lossCurve, Map<String, Long> rows) {
    }

    /**
     * Steps between saved states of a stage ({@code <stage file>.resume}), so that a run killed
     * mid-stage continues from its last state, bit for bit, when the experiment is run again.
     */
    static final int CHECKPOINT_EVERY = 50;

    private final ExperimentConfig config;
    private final DomainData data;
    private final Backend backend;
    private final PrintStream log;
    private final List<RunResult.Stage> stages = new ArrayList<>();
    private final List<RunResult.LossPoint> curve = new ArrayList<>();
    private final Map<String, Long> rows = new LinkedHashMap<>();
    private long tokensSoFar;
    private String runFingerprint = "";

    MethodTraining(ExperimentConfig config, DomainData data, Backend backend, PrintStream log) {
        this.config = config;
        this.data = data;
        this.backend = backend;
        this.log = log;
    }

    /**
     * Trains {@code m} with {@code seed} on the backbone in {@code backboneFile}; checkpoints go to
     * {@code dir}. A run stopped before continues: finished stages are reused, a stopped stage
     * resumes from its saved state ({@code fingerprint}, the run's settings, must match).
     */
    Trained train(MethodSpec m, long seed, Path backboneFile, Path dir, String fingerprint) throws IOException {
        runFingerprint = fingerprint;
        stages.clear();
        curve.clear();
        rows.clear();
        tokensSoFar = 0;
        GptParams base = GptCheckpoint.load(backboneFile, false).params();
        Budget b = config.budget();
        Path model = dir.resolve("model.safetensors");
        return switch (m.method()) {
            case "frozen" -> new Trained(new BackboneModel(base, false), "frozen", null, 0, List.of(), List.of(), Map.of());
            case "full" -> {
                BackboneModel full = new BackboneModel(base, true);
                stage("train", full, b.steps(), m.lr(), mixed(m, seed), model, seed);
                yield done(full, "full", model, full.counts().trainable());
            }
            case "lora" -> {
                LoraModel lora = new LoraModel(m.name(), base, new LoraParams(base.config(), m.rank(), m.alpha(),
                        Set.copyOf(m.targets()), seed));
                stage("train", lora, b.steps(), m.lr(), mixed(m, seed), model, seed);
                yield done(lora, "lora", model, lora.lora().slab().size());
            }
            case "lora-matched" -> {
                int rank = matchedRank(m, base);
                LoraModel lora = new LoraModel(m.name(), base, new LoraParams(base.config(), rank, m.alpha(),
                        Set.copyOf(m.targets()), seed));
                stage("train", lora, b.steps(), m.lr(), mixed(m, seed), model, seed);
                yield done(lora, "lora", model, lora.lora().slab().size());
            }
            case "moe-lora" -> {
                MoeLoraModel moe = new MoeLoraModel(base, new MoeLoraParams(base.config(), new MoeLoraConfig(m.loraExperts(),
                        m.rank(), m.alpha(), Set.copyOf(m.targets()), m.topK(), m.balance()), seed));
                stage("train", moe, b.steps(), m.lr(), mixed(m, seed), model, seed);
                yield done(moe, "moe-lora", model, moe.params().slab().size());
            }
            case "mode" -> mode(m, seed, base, dir, model);
            case "btx" -> btx(m, seed, base, dir, model);
            default -> throw new IllegalStateException(m.method());
        };
    }

    private Trained mode(MethodSpec m, long seed, GptParams base, Path dir, Path model) throws IOException {
        Budget b = config.budget();
        GateConfig gate = gate(m);
        List<String> experts = m.experts();
        int stage1 = (b.steps() - b.stage2Steps()) / experts.size();
        int stage2 = b.steps() - stage1 * experts.size();
        Map<String, Slab> trained = new LinkedHashMap<>(), stage1Gates = new LinkedHashMap<>();
        for (int i = 0; i < experts.size(); i++) {
            String d = experts.get(i);
            ModeConfig one = new ModeConfig(m.blocks(), m.expertLayers(), List.of(d), gate, m.init());
            ModeModel expert = new ModeModel("mode-expert", new ModeParams(base, one, seed * 1000 + i), true, true);
            expert.params().gate().learningRateScale(m.gateLrScale());
            stageOne(d, i, expert, stage1, m, seed, dir);
            trained.put(d, frozenCopy(expert.params().expert(d)));
            stage1Gates.put(d, frozenCopy(expert.params().gate()));
        }
        ModeConfig all = new ModeConfig(m.blocks(), m.expertLayers(), experts, gate, m.init());
        ModeParams composed = new ModeParams(base, all, trained, seed);
        if (m.gateInit().equals("stage1")) {
            composed.composeGate(stage1Gates);
        }
        ModeModel mode = new ModeModel("mode-compose", composed, !m.trainGateOnly(), true);
        composed.gate().learningRateScale(m.gateLrScale());
        stage("stage2", mode, stage2, m.lr(), mixed(m, seed), model, seed);
        long trainable = composed.gate().size() + composed.experts().stream().mapToLong(Slab::size).sum();
        return done(mode, "mode", model, trainable);
    }

    /**
     * BTX on MoDE's budget: per domain, {@code (steps − stage2Steps) / E} steps of stage 1 (the
     * domain's copy of the MLPs on its domain alone; a finished branch is reused), then the rest as
     * stage 2 (the original MLPs' copy and the branches as FFN experts with fresh routers, on the mix).
     */
    private Trained btx(MethodSpec m, long seed, GptParams base, Path dir, Path model) throws IOException {
        Budget b = config.budget();
        List<String> experts = m.experts();
        int stage1 = (b.steps() - b.stage2Steps()) / experts.size();
        int stage2 = b.steps() - stage1 * experts.size();
        Map<String, Slab> branches = new LinkedHashMap<>();
        for (int i = 0; i < experts.size(); i++) {
            String d = experts.get(i);
            BtxModel branch = new BtxModel("btx-branch", new BtxParams(base, BtxConfig.branch(d), seed * 1000 + i), true, false);
            stageOne(d, i, branch, stage1, m, seed, dir);
            branches.put(d, frozenCopy(branch.params().expert(d)));
        }
        BtxParams mixed = new BtxParams(base, new BtxConfig(experts, true, m.topK(), m.balance()), branches, seed);
        BtxModel btx = new BtxModel("btx-mix", mixed, !m.trainGateOnly(), true);
        stage("stage2", btx, stage2, m.lr(), mixed(m, seed), model, seed);
        // trained in some stage: the routers, the branches (stage 1), the original MLPs' copy unless stage 2 trains routers only
        long trainable = mixed.ownSlabs().stream().mapToLong(Slab::size).sum()
                - (m.trainGateOnly() ? mixed.expert(BtxConfig.ORIGINAL).size() : 0);
        return done(btx, "btx", model, trainable);
    }

    /**
     * Stage 1 of a two-stage method (MoDE, BTX) for domain {@code d}, the {@code i}-th: {@code model}
     * trained alone on its domain into {@code DIR/stage1-<d>.safetensors}, or loaded from there when a
     * stopped run had finished it.
     */
    private void stageOne(String d, int i, AdaptedModel model, int steps, MethodSpec m, long seed, Path dir)
            throws IOException {
        Budget b = config.budget();
        Path file = dir.resolve("stage1-" + d + ".safetensors");
        if (Files.exists(file) && !Files.exists(RunState.beside(file))) {
            reuse("stage1-" + d, model, steps, file); // finished before the run was stopped
        } else {
            Batches own = new BatchSampler(data.get(d).train(), b.batch(), b.seq(), seed * 1000 + i);
            stage("stage1-" + d, model, steps, m.lr(), own, file, seed);
        }
        rows.merge(d, (long) steps * b.batch(), Long::sum); // every row of a stage-1 batch is of its domain
    }

    /** The LoRA rank whose adapters are closest in size to the trainable parameters of the MoDE model it matches. */
    private int matchedRank(MethodSpec m, GptParams base) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < m.matchExperts(); i++) {
            names.add("e" + i);
        }
        ModeParams reference = new ModeParams(base, new ModeConfig(m.blocks(), m.expertLayers(), names,
                GateConfig.DEFAULT, "random"), 0);
        long target = reference.gate().size() + reference.experts().stream().mapToLong(Slab::size).sum();
        int rank = LoraModel.matchedRank(base.config(), Set.copyOf(m.targets()), target);
        log.printf(Locale.ROOT, "%s: MoDE with %d experts trains %,d parameters; LoRA rank %d trains %,d%n", m.name(),
                m.matchExperts(), target, rank, LoraParams.parameterCount(base.config(), rank, Set.copyOf(m.targets())));
        return rank;
    }

    private static GateConfig gate(MethodSpec m) {
        return new GateConfig(m.topK(), m.temperature(), m.sequenceGate(), m.balance(), m.gateNorm());
    }

    /** A stage-1 expert's (or gate's) weights in a new slab without gradients, so that stage 2 trains it only if asked. */
    private static Slab frozenCopy(Slab s) {
        Slab copy = new Slab(s.name(), s.layout());
        System.arraycopy(s.params().data(), 0, copy.params().data(), 0, s.size());
        return copy;
    }

    /** Rows from every domain that trains (weight above 0), in proportion to the weights. */
    private TrainingMix mixed(MethodSpec m, long seed) {
        return TrainingMix.of(config, data, m, seed);
    }

    /** Trains one stage: its own warm-up (the budget's fraction) and cosine decay over its steps. */
    private void stage(String name, AdaptedModel model, int steps, float lr, Batches batches, Path out, long seed)
            throws IOException {
        Budget b = config.budget();
        int warmup = (int) Math.round((double) b.warmupSteps() * steps / b.steps());
        AdamWSettings adamw = new AdamWSettings(AdamWSettings.DEFAULT.beta1(), AdamWSettings.DEFAULT.beta2(),
                AdamWSettings.DEFAULT.eps(), b.weightDecay());
        TrainingSettings s = new TrainingSettings(b.batch(), b.seq(), steps,
                new LearningRate(lr, Math.min(b.minLr(), lr), warmup, steps), adamw, 0, 1, seed, b.clipNorm());
        LossCurve losses = new LossCurve(steps, config.evaluation().lossEvery());
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("modej.experiment", config.name());
        provenance.put("modej.experiment.run", runFingerprint);
        provenance.put("modej.stage", name);
        provenance.put(Tokenizers.METADATA_KEY, data.tokenizer().name());
        RunState state = new RunState(RunState.beside(out), CHECKPOINT_EVERY, Integer.MAX_VALUE);
        RunState.Saved resumed = null;
        if (Files.exists(state.file())) {
            Map<String, String> expected = new LinkedHashMap<>(provenance);
            expected.put("modej.method", model.method());
            expected.put("modej.train.settings", s.toString());
            resumed = RunState.Saved.read(state.file(), expected);
            resumed.restore(model);
            log.printf(Locale.ROOT, "%s: continuing after step %d (state %s)%n", name, resumed.step(), state.file());
        }
        Adaptation.Outcome o = Adaptation.train(model, s, backend, batches, null, out, provenance, log, losses, state, resumed);
        long perStep = (long) b.batch() * b.seq();
        double last = Double.NaN;
        for (var p : losses.points()) {
            curve.add(new RunResult.LossPoint(name, p.step(), tokensSoFar + p.step() * perStep, p.loss()));
            last = p.loss();
        }
        tokensSoFar += o.tokens();
        if (batches instanceof TrainingMix mix) {
            mix.rowsPerDomain().forEach((d, n) -> rows.merge(d, n, Long::sum));
        }
        stages.add(new RunResult.Stage(name, steps, o.tokens(), o.seconds(), o.peakHeapMiB(), o.bufferBytes(), last));
    }

    /**
     * A stage finished before the run was stopped: its trained slabs come from its checkpoint, its
     * costs from the checkpoint's metadata (its loss curve was not kept).
     */
    private void reuse(String name, AdaptedModel model, int steps, Path file) {
        Checkpoint c = Safetensors.read(file);
        SlabFiles.load(c, model.slabs().stream().filter(Slab::trainable).toList(), false);
        Map<String, String> meta = c.metadata();
        if (!runFingerprint.equals(meta.get("modej.experiment.run"))) {
            throw new IllegalArgumentException(file + ": a stage of a run with other settings; delete it to redo the stage");
        }
        long tokens = Long.parseLong(meta.getOrDefault("modej.train.tokens", "0"));
        tokensSoFar += tokens;
        stages.add(new RunResult.Stage(name, steps, tokens, Double.parseDouble(meta.getOrDefault("modej.train.seconds", "0")),
                Long.parseLong(meta.getOrDefault("modej.train.peak_heap_mib", "0")),
                Long.parseLong(meta.getOrDefault("modej.train.buffer_bytes", "0")), Double.NaN));
        log.printf(Locale.ROOT, "%s: finished before, reusing %s%n", name, file);
    }

    private Trained done(AdaptedModel model, String kind, Path checkpoint, long trainable) {
        return new Trained(model, kind, checkpoint, trainable, List.copyOf(stages), List.copyOf(curve),
                java.util.Collections.unmodifiableMap(new LinkedHashMap<>(rows)));
    }
}
