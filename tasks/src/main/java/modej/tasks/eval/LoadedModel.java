package modej.tasks.eval;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import modej.model.method.AdaptedModel;
import modej.model.method.BackboneModel;
import modej.model.lora.LoraModel;
import modej.model.mode.ModeModel;
import modej.model.moelora.MoeLoraModel;
import modej.model.btx.BtxModel;
import modej.model.checkpoint.CheckpointException;
import modej.model.checkpoint.GptCheckpoint;
import modej.model.checkpoint.ModeCheckpoint;
import modej.model.gpt.GptParams;
import modej.model.mode.ModeParams;
import modej.model.param.Slab;

/**
 * A model to evaluate: the frozen backbone, or one adapted by training, loaded from its checkpoint
 * for evaluation only (no gradient or moment buffers).
 *
 * @param label           the name in reports, e.g. {@code mode} or {@code lora-r8}
 * @param kind            {@code frozen}, {@code full}, {@code lora}, {@code mode}, {@code btx} or {@code moe-lora}
 * @param file            the checkpoint, or null for the frozen backbone
 * @param model           the model, ready to build graphs
 * @param metadata        the checkpoint's metadata (training method, costs, provenance); empty for the frozen backbone
 * @param trainableParams parameters the method trained: {@code modej.params.trainable} from the metadata when
 *                        present, else the slabs the kind trains (full: all; lora: the adapters; mode: experts and gate;
 *                        btx: FFN experts and routers; moe-lora: LoRA experts and routers)
 */
public record LoadedModel(String label, String kind, Path file, AdaptedModel model, Map<String, String> metadata,
                          long trainableParams) {

    /** The label of the frozen backbone, which every evaluation includes as the reference. */
    public static final String FROZEN = "frozen";

    /** Kinds a {@code --model} entry may name. */
    public static final List<String> KINDS = List.of("full", "lora", "mode", "btx", "moe-lora");

    /** The frozen backbone, the reference every other model is compared with. */
    public static LoadedModel frozen(GptParams backbone) {
        return new LoadedModel(FROZEN, FROZEN, null, new BackboneModel(backbone, false), Map.of(), 0);
    }

    /** The method that trained it ({@code modej.method}), or the kind when the metadata does not say. */
    public String method() {
        return metadata.getOrDefault("modej.method", kind);
    }

    /**
     * Parses {@code LABEL=KIND:FILE} and loads the checkpoint onto {@code backbone}. Errors are one
     * line starting with {@code --model <entry>:}.
     */
    public static LoadedModel load(String entry, GptParams backbone) {
        int eq = entry.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("--model " + entry + ": expected LABEL=KIND:FILE, e.g. mode=mode:runs/mode-compose.safetensors");
        }
        String label = entry.substring(0, eq), rest = entry.substring(eq + 1);
        if (label.equals(FROZEN)) {
            throw new IllegalArgumentException("--model " + entry + ": the label '" + FROZEN + "' is reserved for the backbone, which is always evaluated");
        }
        int colon = rest.indexOf(':');
        String kind = colon < 0 ? rest : rest.substring(0, colon);
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException("--model " + entry + ": unknown KIND '" + kind + "'; valid: " + String.join(", ", KINDS));
        }
        if (colon < 0 || colon == rest.length() - 1) {
            throw new IllegalArgumentException("--model " + entry + ": KIND " + kind + " needs a checkpoint, as " + label + "=" + kind + ":FILE");
        }
        Path file = Path.of(rest.substring(colon + 1));
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--model " + entry + ": no such file " + file);
        }
        try {
            return load(label, kind, file, backbone);
        } catch (CheckpointException e) {
            throw new IllegalArgumentException("--model " + entry + ": " + e.getMessage(), e);
        }
    }

    private static LoadedModel load(String label, String kind, Path file, GptParams backbone) {
        AdaptedModel model;
        long byKind;
        Map<String, String> meta = null;
        switch (kind) {
            case "full" -> {
                GptCheckpoint.Loaded loaded = GptCheckpoint.load(file, false);
                if (!loaded.params().config().equals(backbone.config())) {
                    throw new CheckpointException(file, "has config " + loaded.params().config()
                            + ", but the backbone's is " + backbone.config());
                }
                model = new BackboneModel(loaded.params(), false);
                byKind = model.counts().total();
                meta = loaded.metadata();
            }
            case "lora" -> {
                LoraModel lora = LoraModel.load(file, backbone);
                model = lora;
                byKind = lora.lora().slab().size();
            }
            case "moe-lora" -> {
                MoeLoraModel moe = MoeLoraModel.load(file, backbone);
                model = moe;
                byKind = moe.params().slab().size();
            }
            case "mode" -> {
                ModeParams params = ModeCheckpoint.load(file, backbone, false);
                model = new ModeModel("mode", params, false, false);
                byKind = params.gate().size() + params.experts().stream().mapToLong(Slab::size).sum();
            }
            case "btx" -> {
                BtxModel btx = BtxModel.load(file, backbone, "btx");
                model = btx;
                byKind = btx.params().ownSlabs().stream().mapToLong(Slab::size).sum();
            }
            default -> throw new IllegalStateException(kind);
        }
        if (meta == null) {
            meta = GptCheckpoint.metadata(file);
        }
        String saved = meta.get("modej.params.trainable");
        long trainable = saved != null ? parseLong(file, "modej.params.trainable", saved) : byKind;
        return new LoadedModel(label, kind, file, model, meta, trainable);
    }

    /** A whole number from the metadata of {@code file}; a one-line error if it is not one. */
    static long parseLong(Path file, String key, String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("checkpoint " + file + ": bad " + key + " '" + value + "': not a whole number");
        }
    }
}
