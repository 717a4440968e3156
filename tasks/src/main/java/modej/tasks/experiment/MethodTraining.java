package modej.tasks.experiment;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import modej.engine.device.Backend;
import modej.model.adapt.AdaptedModel;
import modej.model.adapt.BackboneModel;
import modej.model.adapt.LoraModel;
import modej.model.adapt.ModeModel;
import modej.model.checkpoint.GptCheckpoint;
import modej.model.gpt.GptParams;
import modej.model.gpt.LoraParams;
import modej.model.mode.GateConfig;
import modej.model.mode.ModeConfig;
import modej.model.mode.ModeParams;
import modej.model.param.AdamWSettings;
import modej.model.param.Slab;
import modej.tasks.adapt.Adaptation;
import modej.tasks.data.BatchSampler;
import modej.tasks.data.Batches;
import modej.tasks.data.DomainData;
import modej.tasks.data.WeightedBatches;
import modej.tasks.train.LearningRate;
import modej.tasks.train.LossCurve;

/**
 * Trains one method for one seed within the experiment's budget, on a fresh copy of the backbone.
 * Full fine-tuning and LoRA train {@code budget.steps} steps on the weighted mix of the domains.
 * MoDE trains, for each of its E experts, {@code (steps − stage2Steps) / E} steps of stage 1 (the
 * expert and its own gate on the expert's domain), then composes the experts with a fresh gate (or
 * one composed from the stage-1 gates, {@code gateInit: stage1}) and trains the rest of the steps
 * as stage 2 on the mix; so every method trains
 * {@code steps × batch × seq} tokens. The frozen backbone trains nothing.
 */
final class MethodTraining {

    /**
     * A trained model and how it was trained.
     *
     * @param trainable parameters the method trained in any stage (MoDE: experts and the final gate)
     */
    record Trained(AdaptedModel model, String evalKind, Path checkpoint, long trainable, List<RunResult.Stage> stages,
                   List<RunResult.LossPoint> lossCurve) {
    }

    private final ExperimentConfig config;
    private final DomainData data;
    private final Backend backend;
    private final PrintStream log;
    private final List<RunResult.Stage> stages = new ArrayList<>();
    private final List<RunResult.LossPoint> curve = new ArrayList<>();
    private long tokensSoFar;

    MethodTraining(ExperimentConfig config, DomainData data, Backend backend, PrintStream log) {
        this.config = config;
        this.data = data;
        this.backend = backend;
        this.log = log;
    }

    /** Trains {@code m} with {@code seed} on the backbone in {@code backboneFile}; checkpoints go to {@code dir}. */
    Trained train(MethodSpec m, long seed, Path backboneFile, Path dir) throws IOException {
        stages.clear();
        curve.clear();
        tokensSoFar = 0;
        GptParams base = GptCheckpoint.load(backboneFile, false).params();
        Budget b = config.budget();
        Path model = dir.resolve("model.safetensors");
        return switch (m.method()) {
            case "frozen" -> new Trained(new BackboneModel(base, false), "frozen", null, 0, List.of(), List.of());
            case "full" -> {
                BackboneModel full = new BackboneModel(base, true);
                stage("train", full, b.steps(), m.lr(), mixed(seed), model, seed);
                yield done(full, "full", model, full.counts().trainable());
            }
            case "lora" -> {
                LoraModel lora = new LoraModel(m.name(), base, new LoraParams(base.config(), m.rank(), m.alpha(),
                        Set.copyOf(m.targets()), seed));
                stage("train", lora, b.steps(), m.lr(), mixed(seed), model, seed);
                yield done(lora, "lora", model, lora.lora().slab().size());
            }
            case "lora-matched" -> {
                int rank = matchedRank(m, base);
                LoraModel lora = new LoraModel(m.name(), base, new LoraParams(base.config(), rank, m.alpha(),
                        Set.copyOf(m.targets()), seed));
                stage("train", lora, b.steps(), m.lr(), mixed(seed), model, seed);
                yield done(lora, "lora", model, lora.lora().slab().size());
            }
            case "mode" -> mode(m, seed, base, dir, model);
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
            Batches own = new BatchSampler(data.get(d).train(), b.batch(), b.seq(), seed * 1000 + i);
            stage("stage1-" + d, expert, stage1, m.lr(), own, dir.resolve("stage1-" + d + ".safetensors"), seed);
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
        stage("stage2", mode, stage2, m.lr(), mixed(seed), model, seed);
        long trainable = composed.gate().size() + composed.experts().stream().mapToLong(Slab::size).sum();
        return done(mode, "mode", model, trainable);
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

    /** Rows from every domain with a weight, in proportion to the weights. */
    private Batches mixed(long seed) {
        List<int[]> streams = new ArrayList<>();
        double[] weights = new double[config.domains().size()];
        int i = 0;
        for (var e : config.domains().entrySet()) {
            streams.add(data.get(e.getKey()).train());
            weights[i++] = e.getValue().weight();
        }
        return new WeightedBatches(streams, weights, config.budget().batch(), config.budget().seq(), seed);
    }

    /** Trains one stage: its own warm-up (the budget's fraction) and cosine decay over its steps. */
    private void stage(String name, AdaptedModel model, int steps, float lr, Batches batches, Path out, long seed)
            throws IOException {
        Budget b = config.budget();
        int warmup = (int) Math.round((double) b.warmupSteps() * steps / b.steps());
        AdamWSettings adamw = new AdamWSettings(AdamWSettings.DEFAULT.beta1(), AdamWSettings.DEFAULT.beta2(),
                AdamWSettings.DEFAULT.eps(), b.weightDecay());
        Adaptation.Settings s = new Adaptation.Settings(b.batch(), b.seq(), steps,
                new LearningRate(lr, Math.min(b.minLr(), lr), warmup, steps), adamw, 0, 1, seed);
        LossCurve losses = new LossCurve(steps, config.evaluation().lossEvery());
        Map<String, String> provenance = Map.of("modej.experiment", config.name(), "modej.stage", name);
        Adaptation.Outcome o = Adaptation.train(model, s, backend, batches, null, out, provenance, log, losses);
        long perStep = (long) b.batch() * b.seq();
        double last = Double.NaN;
        for (var p : losses.points()) {
            curve.add(new RunResult.LossPoint(name, p.step(), tokensSoFar + p.step() * perStep, p.loss()));
            last = p.loss();
        }
        tokensSoFar += o.tokens();
        stages.add(new RunResult.Stage(name, steps, o.tokens(), o.seconds(), o.peakHeapMiB(), o.bufferBytes(), last));
    }

    private Trained done(AdaptedModel model, String kind, Path checkpoint, long trainable) {
        return new Trained(model, kind, checkpoint, trainable, List.copyOf(stages), List.copyOf(curve));
    }
}
