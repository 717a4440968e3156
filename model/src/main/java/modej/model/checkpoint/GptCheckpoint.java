package modej.model.checkpoint;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import modej.model.gpt.GptConfig;
import modej.model.gpt.GptParams;
import modej.model.tokenizer.Tokenizer;
import modej.model.tokenizer.Tokenizers;

/**
 * Saves and loads a backbone through {@link SlabFiles} (tensors such as
 * {@code layer3.qkv.weight}, optionally with AdamW moments); the resolved config is in the
 * metadata under {@code modej.config}.
 */
public final class GptCheckpoint {

    /** A loaded backbone, its metadata, and whether the moments were restored. */
    public record Loaded(GptParams params, Map<String, String> metadata, boolean withOptimizer) {

        /** The tokenizer saved with it ({@code modej.tokenizer}; bytes for checkpoints from before that key). */
        public Tokenizer tokenizer() {
            try {
                return Tokenizers.checkVocab(Tokenizers.of(metadata), params.config().vocab());
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(null, e.getMessage());
            }
        }
    }

    public static final String CONFIG_KEY = "modej.config";
    private static final ObjectMapper JSON = new ObjectMapper();

    private GptCheckpoint() {
    }

    /** Writes atomically (temporary file, then rename). */
    public static void save(Path file, GptParams params, Map<String, String> metadata, boolean withOptimizer) {
        SlabFiles.save(file, params.slabs(), withConfig(metadata, params.config()), withOptimizer);
    }

    /** The metadata plus the backbone's config under {@link #CONFIG_KEY}. */
    public static Map<String, String> withConfig(Map<String, String> metadata, GptConfig config) {
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        try {
            meta.put(CONFIG_KEY, JSON.writeValueAsString(config));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return meta;
    }

    /**
     * Loads a backbone. With {@code withOptimizer}, every slab becomes trainable and its moments
     * are restored (the checkpoint must hold them); without, slabs are frozen.
     */
    public static Loaded load(Path file, boolean withOptimizer) {
        Checkpoint ckpt = Safetensors.read(file);
        GptParams params = new GptParams(config(ckpt));
        SlabFiles.load(ckpt, params.slabs(), withOptimizer);
        return new Loaded(params, ckpt.metadata(), withOptimizer);
    }

    /** The backbone config saved in a checkpoint. */
    public static GptConfig config(Checkpoint ckpt) {
        return ckpt.metadataJson(CONFIG_KEY, GptConfig.class, "a MoDE-J backbone checkpoint");
    }

    /** Only the metadata (reads and verifies the whole file). */
    public static Map<String, String> metadata(Path file) {
        return Safetensors.read(file).metadata();
    }
}
