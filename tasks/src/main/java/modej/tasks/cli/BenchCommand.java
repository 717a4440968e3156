package modej.tasks.cli;

import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;

import modej.engine.device.Backend;
import modej.engine.device.ComposedBackend;
import modej.engine.device.Profile;
import modej.engine.jvm.JvmBackend;
import java.util.List;

import modej.engine.plan.ExecutionPlan;
import modej.model.method.AdaptedModel;
import modej.model.method.BackboneModel;
import modej.model.lora.LoraModel;
import modej.model.mode.ModeModel;
import modej.model.gpt.GptConfig;
import modej.model.gpt.GptParams;
import modej.model.lora.LoraParams;
import modej.model.lora.LoraSlot;
import modej.model.mode.GateConfig;
import modej.model.mode.ModeConfig;
import modej.model.mode.ModeParams;
import modej.tasks.bench.TrainingBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./modej bench}: training and forward throughput, same flags and fields as torch_gpt.py.
 * Its shape and batch flags are its own (not the shared mixins): they name a whole model with
 * torch_gpt.py's defaults, {@code --seq} is also the context, {@code --steps} are timed steps at a
 * constant {@code --lr}, and {@code --warmup} counts untimed steps, not the learning rate's warm-up.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Time training steps (forward, backward, AdamW) and forward passes of a GPT on random tokens.",
                "Flags and JSON fields match ../shared/bench/torch_gpt.py, for side-by-side runs.",
                "With --strategy: bench a MoDE model instead (frozen backbone of the flags below, --experts experts of",
                "--expert-layers layers per block in --blocks blocks) under that strategy."})
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--layers", defaultValue = "4", description = "Transformer layers (default: ${DEFAULT-VALUE}).")
    int layers;
    @Option(names = {"--width", "--dim"}, defaultValue = "128", description = "Width, as pretrain's --width (--dim: the older spelling and torch_gpt.py's, kept for at least one release; default: ${DEFAULT-VALUE}).")
    int dim;
    @Option(names = "--heads", defaultValue = "4", description = "Attention heads (default: ${DEFAULT-VALUE}).")
    int heads;
    @Option(names = "--seq", defaultValue = "128", description = "Sequence length T (default: ${DEFAULT-VALUE}).")
    int seq;
    @Option(names = "--batch", defaultValue = "8", description = "Batch size B (default: ${DEFAULT-VALUE}).")
    int batch;
    @Option(names = "--vocab", defaultValue = "256", description = "Vocabulary size (default: ${DEFAULT-VALUE}).")
    int vocab;
    @Option(names = "--steps", defaultValue = "30", description = "Timed steps (default: ${DEFAULT-VALUE}).")
    int steps;
    @Option(names = "--warmup", defaultValue = "3", description = "Untimed warm-up steps (default: ${DEFAULT-VALUE}).")
    int warmup;
    @Option(names = "--lr", defaultValue = "3e-4", description = "AdamW learning rate (default: ${DEFAULT-VALUE}).")
    float lr;
    @Option(names = "--seed", defaultValue = "1337", description = "Seed for weights and tokens (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--untied", description = "Separate LM head instead of the tied token embedding.")
    boolean untied;
    @Option(names = "--experts", defaultValue = "2", description = "With --strategy: experts (default: ${DEFAULT-VALUE}).")
    int experts;
    @Option(names = "--blocks", defaultValue = "2", description = "With --strategy: MoDE blocks (default: ${DEFAULT-VALUE}).")
    int blocks;
    @Option(names = "--expert-layers", defaultValue = "1", description = "With --strategy: layers per expert and block (default: ${DEFAULT-VALUE}).")
    int expertLayers;
    @Option(names = "--top-k", defaultValue = "0", description = {"With --strategy: the gate keeps the k largest weights (default: 0 = dense).",
            "Every expert still runs on every token: top-k changes the mix, not the compute."})
    int topK;
    @Option(names = "--sequence-gate", description = "With --strategy: the gate reads the causal prefix mean of its sequence.")
    boolean sequenceGate;
    @Option(names = "--lora", paramLabel = "RANK", description = "Bench LoRA of this rank on every projection "
            + "(frozen backbone of the flags above) instead of full training.")
    Integer lora;
    @Option(names = "--json", description = "Print only the JSON line.")
    boolean json;
    @Mixin
    BackendOptions backendOptions;
    @Mixin
    PlacementOptions placement;
    @Mixin
    GemmOptions gemmOptions;

    @Override
    public Integer call() throws Exception {
        if (gemmOptions.gemm()) {
            return gemmOptions.run(backendOptions, json);
        }
        placement.check();
        if (steps < 1 || warmup < 0) {
            throw new UserError("--steps must be >= 1 and --warmup >= 0");
        }
        if (topK < 0) {
            throw new UserError("--top-k must be >= 0, got " + topK);
        }
        if (!placement.strategyGiven() && (topK > 0 || sequenceGate)) {
            throw new UserError("--top-k and --sequence-gate need --strategy (they configure the MoDE model's gate)");
        }
        GptConfig config = new GptConfig(vocab, seq, layers, heads, dim, !untied);
        GptParams backbone = new GptParams(config).init(seed);
        AdaptedModel model;
        if (lora != null && placement.strategyGiven()) {
            throw new UserError("--lora and --strategy: bench one model at a time");
        }
        if (lora != null) {
            model = new LoraModel("lora", backbone, new LoraParams(config, lora, 2f * lora, LoraSlot.TARGETS, seed));
        } else if (!placement.strategyGiven()) {
            model = new BackboneModel(backbone, true);
        } else {
            List<String> names = java.util.stream.IntStream.range(0, experts).mapToObj(i -> "e" + i).toList();
            model = new ModeModel("mode-compose", new ModeParams(backbone,
                    new ModeConfig(blocks, expertLayers, names, new GateConfig(topK, 1f, sequenceGate, 0f), "copy:last"), seed),
                    true, true);
        }
        try (Backend backend = backendOptions.backend()) {
            ExecutionPlan plan = placement.plan(model, backend);
            Map<String, Object> result = TrainingBench.run(new TrainingBench.Settings(batch, seq, steps, warmup, lr, seed),
                    model, backend, plan, backend instanceof JvmBackend j ? j.threads() : 0,
                    backend instanceof JvmBackend j && j.vector());
            if (placement.strategyGiven()) {
                result.put("gate", Map.of("top_k", topK, "sequence_gate", sequenceGate));
            }
            if (backend instanceof ComposedBackend c) {
                // over the whole bench (warm-up, timed steps and forward passes): buffers copied
                // from one device to another through the host
                result.put("devices", c.deviceNames());
                result.put("device_copies_total", c.moves());
                result.put("device_copies_bytes_total", c.movedBytes());
            }
            System.out.println(new ObjectMapper().writeValueAsString(result));
            if (!json) {
                System.err.printf("params %,d | step %.1f ms (median of %d) | train %,.0f tok/s | forward %,.0f tok/s%n",
                        result.get("params"), result.get("ms_step_median"), steps, result.get("train_tok_s"),
                        result.get("infer_tok_s"));
            }
            if (backendOptions.profile) {
                ProfilePrinter.print(System.err, backend);
            }
        }
        return 0;
    }
}
