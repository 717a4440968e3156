package modej.model.checkpoint;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import modej.model.gpt.GptParams;
import modej.model.mode.ModeConfig;
import modej.model.mode.ModeParams;
import modej.model.param.Slab;

/**
 * A MoDE model's own slabs (each expert as {@code expert.<name>.*}, the gate as {@code gate.*}),
 * its {@link ModeConfig} under {@code modej.mode}, and a fingerprint of the backbone it was
 * trained on. The backbone is not copied in: it stays in its own checkpoint.
 */
public final class ModeCheckpoint {

    public static final String MODE_KEY = "modej.mode";
    public static final String BACKBONE_KEY = "modej.backbone.fingerprint";
    /**
     * Set to {@code prefix-mean} in checkpoints whose sequence gate reads the causal prefix mean.
     * Sequence-gate checkpoints without it averaged the whole sequence (later tokens included).
     */
    public static final String SEQUENCE_GATE_KEY = "modej.gate.sequence";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModeCheckpoint() {
    }

    public static void save(Path file, ModeParams m, Map<String, String> metadata, boolean withOptimizer) {
        Map<String, String> meta = new LinkedHashMap<>(GptCheckpoint.withConfig(metadata, m.backbone().config()));
        try {
            meta.put(MODE_KEY, JSON.writeValueAsString(m.config()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        meta.put(BACKBONE_KEY, fingerprint(m.backbone()));
        if (m.config().gate().sequenceLevel()) {
            meta.put(SEQUENCE_GATE_KEY, "prefix-mean");
        }
        List<Slab> slabs = new java.util.ArrayList<>(m.experts());
        slabs.add(m.gate());
        SlabFiles.save(file, slabs, meta, withOptimizer);
    }

    /** The whole MoDE model (experts and gate) on {@code backbone}, which must be the one it was trained on. */
    public static ModeParams load(Path file, GptParams backbone, boolean withOptimizer) {
        Checkpoint ckpt = read(file, backbone);
        ModeConfig config = config(ckpt);
        if (config.gate().sequenceLevel() && !"prefix-mean".equals(ckpt.metadata().get(SEQUENCE_GATE_KEY))) {
            throw new CheckpointException(file, "has a sequence gate from before it was made causal (it averaged the "
                    + "whole sequence, later tokens included); train it again");
        }
        ModeParams m = new ModeParams(backbone, config, 0);
        List<Slab> slabs = new java.util.ArrayList<>(m.experts());
        slabs.add(m.gate());
        SlabFiles.load(ckpt, slabs, withOptimizer);
        return m;
    }

    /** One expert's slab out of a file, e.g. a stage-1 checkpoint, with the structure it was trained with. */
    public static Expert loadExpert(Path file, String name, GptParams backbone) {
        Checkpoint ckpt = read(file, backbone);
        ModeConfig cfg = config(ckpt);
        if (!cfg.experts().contains(name)) {
            throw new CheckpointException(file, "has no expert '" + name + "'; it has " + cfg.experts());
        }
        Slab slab = new Slab("expert." + name, ModeParams.expertLayout(backbone.config().width(), cfg));
        Slab gate = new Slab("gate", ModeParams.gateLayout(backbone.config().width(), cfg));
        SlabFiles.load(ckpt, List.of(slab, gate), false);
        return new Expert(name, slab, gate, cfg);
    }

    /**
     * A trained expert, the gate of the model it was saved in (for a stage-1 checkpoint: the gate
     * between the backbone and this expert) and the MoDE structure it belongs to.
     */
    public record Expert(String name, Slab slab, Slab gate, ModeConfig config) {
    }

    public static ModeConfig config(Checkpoint ckpt) {
        return ckpt.metadataJson(MODE_KEY, ModeConfig.class, "a MoDE-J expert or MoDE checkpoint");
    }

    private static Checkpoint read(Path file, GptParams backbone) {
        Checkpoint ckpt = Safetensors.read(file);
        String saved = ckpt.metadata().get(BACKBONE_KEY);
        if (saved != null && !saved.equals(fingerprint(backbone))) {
            throw new CheckpointException(file, "was trained on another backbone (fingerprint " + saved
                    + ", this backbone's is " + fingerprint(backbone) + ")");
        }
        return ckpt;
    }

    /** First 16 hex digits of SHA-256 over every backbone parameter's bits. */
    public static String fingerprint(GptParams backbone) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(4096 * 4);
            for (Slab s : backbone.slabs()) {
                for (float f : s.params().data()) {
                    if (!buf.hasRemaining()) {
                        md.update(buf.flip());
                        buf.clear();
                    }
                    buf.putFloat(f);
                }
            }
            md.update(buf.flip());
            return HexFormat.of().formatHex(md.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
