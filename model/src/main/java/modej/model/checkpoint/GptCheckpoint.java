package modej.model.checkpoint;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import modej.model.gpt.GptConfig;
import modej.model.gpt.GptParams;
import modej.model.param.Slab;
import modej.model.param.Slice;

/**
 * Saves and loads a backbone as safetensors: one tensor per slice, named
 * {@code <slab>.<slice>} (e.g. {@code layer3.qkv.weight}), optionally with the AdamW moments
 * ({@code adam_m.<slab>.<slice>}, {@code adam_v.…}); the resolved config is in the metadata
 * under {@code modej.config}.
 */
public final class GptCheckpoint {

    /** A loaded backbone, its metadata, and whether the moments were restored. */
    public record Loaded(GptParams params, Map<String, String> metadata, boolean withOptimizer) {
    }

    public static final String CONFIG_KEY = "modej.config";
    private static final ObjectMapper JSON = new ObjectMapper();

    private GptCheckpoint() {
    }

    /** Writes atomically (temporary file, then rename). */
    public static void save(Path file, GptParams params, Map<String, String> metadata, boolean withOptimizer) {
        List<TensorData> tensors = new ArrayList<>();
        for (Slab slab : params.slabs()) {
            add(tensors, "", slab, slab.params().data());
        }
        if (withOptimizer) {
            for (Slab slab : params.slabs()) {
                if (slab.trainable()) {
                    add(tensors, "adam_m.", slab, slab.m().data());
                    add(tensors, "adam_v.", slab, slab.v().data());
                }
            }
        }
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        try {
            meta.put(CONFIG_KEY, JSON.writeValueAsString(params.config()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        Safetensors.write(file, tensors, meta);
    }

    private static void add(List<TensorData> out, String prefix, Slab slab, float[] data) {
        for (Slice s : slab.layout().slices()) {
            long[] shape = Arrays.stream(s.shape()).asLongStream().toArray();
            out.add(new TensorData.F32(prefix + slab.name() + "." + s.name(),
                    Arrays.copyOfRange(data, s.offset(), s.end()), shape));
        }
    }

    /**
     * Loads a backbone. With {@code withOptimizer}, every slab becomes trainable and its moments
     * are restored (the checkpoint must hold them); without, slabs are frozen.
     */
    public static Loaded load(Path file, boolean withOptimizer) {
        Checkpoint ckpt = Safetensors.read(file);
        String json = ckpt.metadata().get(CONFIG_KEY);
        if (json == null) {
            throw new CheckpointException(file, "no " + CONFIG_KEY + " in the metadata: not a MoDE-J backbone checkpoint");
        }
        GptConfig config;
        try {
            config = JSON.readValue(json, GptConfig.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new CheckpointException(file, "bad " + CONFIG_KEY + ": " + e.getMessage().lines().findFirst().orElse(""));
        }
        GptParams params = new GptParams(config);
        for (Slab slab : params.slabs()) {
            copy(ckpt, "", slab, slab.params().data());
        }
        if (withOptimizer) {
            for (Slab slab : params.slabs()) {
                slab.makeTrainable();
                copy(ckpt, "adam_m.", slab, slab.m().data());
                copy(ckpt, "adam_v.", slab, slab.v().data());
            }
        }
        return new Loaded(params, ckpt.metadata(), withOptimizer);
    }

    /** Only the metadata (reads and verifies the whole file). */
    public static Map<String, String> metadata(Path file) {
        return Safetensors.read(file).metadata();
    }

    private static void copy(Checkpoint ckpt, String prefix, Slab slab, float[] into) {
        for (Slice s : slab.layout().slices()) {
            String name = prefix + slab.name() + "." + s.name();
            ckpt.expectShape(name, Arrays.stream(s.shape()).asLongStream().toArray());
            System.arraycopy(ckpt.floats(name), 0, into, s.offset(), s.size());
        }
    }
}
