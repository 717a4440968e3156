package modej.tasks.generate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import modej.model.method.AdaptedModel;
import modej.model.method.BackboneModel;
import modej.model.lora.LoraModel;
import modej.model.mode.ModeModel;
import modej.model.moelora.MoeLoraModel;
import modej.model.btx.BtxModel;
import modej.model.checkpoint.CheckpointException;
import modej.model.checkpoint.GptCheckpoint;
import modej.model.tokenizer.Tokenizer;
import modej.model.checkpoint.ModeCheckpoint;
import modej.model.gpt.GptParams;

/**
 * Any checkpoint the tool saves, loaded for generation; its kind read from its metadata: a LoRA
 * adapter ({@code modej.lora.rank}), a MoDE model ({@code modej.mode}) or a MoE-LoRA model
 * ({@code modej.moe_lora}) needs the backbone it was trained on; anything else is a whole GPT (a pretrained backbone or a full fine-tuning).
 *
 * @param kind      {@code gpt}, {@code lora}, {@code mode}, {@code btx} ({@code modej.btx.experts}) or {@code moe-lora}
 * @param model     the model, its weights frozen
 * @param tokenizer the tokenizer saved with the (backbone) checkpoint
 */
public record SavedModel(String kind, AdaptedModel model, Tokenizer tokenizer) {

    /**
     * Loads {@code file}; {@code backbone} is needed for adapters and MoDE models and may be null
     * otherwise. When it is null for those, the backbone an experiment saved beside them is used
     * ({@code DIR/backbone/checkpoint.safetensors} for {@code DIR/runs/RUN/model.safetensors}).
     *
     * @throws IllegalArgumentException with a one-line message for a missing or unusable file
     */
    public static SavedModel load(Path file, Path backbone) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no checkpoint at " + file);
        }
        try {
            Map<String, String> meta = GptCheckpoint.metadata(file);
            String kind = meta.containsKey("modej.lora.rank") ? "lora" : meta.containsKey(ModeCheckpoint.MODE_KEY) ? "mode"
                    : meta.containsKey(BtxModel.EXPERTS_KEY) ? "btx" : meta.containsKey(MoeLoraModel.KEY) ? "moe-lora" : "gpt";
            if (kind.equals("gpt")) {
                GptCheckpoint.Loaded whole = GptCheckpoint.load(file, false);
                return new SavedModel(kind, new BackboneModel(whole.params(), false), whole.tokenizer());
            }
            Path base = backbone != null ? backbone : besideExperiment(file);
            if (base == null) {
                String name = switch (kind) {
                    case "lora" -> "LoRA";
                    case "btx" -> "BTX";
                    case "moe-lora" -> "MoE-LoRA";
                    default -> "MoDE";
                };
                throw new IllegalArgumentException(file + " is a " + name
                        + " checkpoint: give the backbone it was trained on with --backbone FILE");
            }
            if (!Files.isRegularFile(base)) {
                throw new IllegalArgumentException("--backbone: no such file " + base);
            }
            GptCheckpoint.Loaded loaded = GptCheckpoint.load(base, false);
            GptParams params = loaded.params();
            AdaptedModel model = switch (kind) {
                case "lora" -> LoraModel.load(file, params);
                case "btx" -> BtxModel.load(file, params, "btx");
                case "moe-lora" -> MoeLoraModel.load(file, params);
                default -> new ModeModel("mode", ModeCheckpoint.load(file, params, false), false, false);
            };
            return new SavedModel(kind, model, loaded.tokenizer());
        } catch (CheckpointException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** {@code DIR/backbone/checkpoint.safetensors} for a model at {@code DIR/runs/RUN/FILE}, if it exists. */
    static Path besideExperiment(Path file) {
        Path run = file.toAbsolutePath().getParent();
        Path runs = run == null ? null : run.getParent();
        Path dir = runs == null ? null : runs.getParent();
        if (dir == null || !runs.getFileName().toString().equals("runs")) {
            return null;
        }
        Path b = dir.resolve("backbone").resolve("checkpoint.safetensors");
        return Files.isRegularFile(b) ? b : null;
    }
}
