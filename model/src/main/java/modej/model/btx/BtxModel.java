package modej.model.btx;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import modej.model.checkpoint.Checkpoint;
import modej.model.checkpoint.CheckpointException;
import modej.model.checkpoint.GptCheckpoint;
import modej.model.checkpoint.ModeCheckpoint;
import modej.model.checkpoint.Safetensors;
import modej.model.checkpoint.SlabFiles;
import modej.model.gpt.GptConfig;
import modej.model.gpt.GptParams;
import modej.model.gpt.LmDecoder;
import modej.model.gpt.LmGraphs;
import modej.model.method.AdaptedModel;
import modej.model.param.ParameterCounts;
import modej.model.param.Slab;

/**
 * A frozen backbone whose MLPs are replaced by FFN experts (BTX, branch-train-mix). Stage 1
 * ({@code btx-branch}) trains one domain's copy of the MLPs; stage 2 ({@code btx-mix}) trains the
 * experts (the original MLPs' copy and the stage-1 branches) and a fresh router per layer, or the
 * routers only.
 */
public final class BtxModel implements AdaptedModel {

    /** Metadata keys of a BTX checkpoint. */
    public static final String EXPERTS_KEY = "modej.btx.experts", MIXED_KEY = "modej.btx.mixed",
            TOP_K_KEY = "modej.btx.top_k", BALANCE_KEY = "modej.btx.balance";

    private final String method;
    private final BtxParams params;

    /**
     * Sets what is trained: the backbone never; the experts and the router as asked.
     *
     * @param trainExperts whether the FFN experts train
     * @param trainRouter  whether the router (stage 2) trains
     */
    public BtxModel(String method, BtxParams params, boolean trainExperts, boolean trainRouter) {
        this.method = method;
        this.params = params;
        params.backbone().slabs().forEach(Slab::freeze);
        params.experts().forEach(trainExperts ? Slab::makeTrainable : Slab::freeze);
        if (params.router() != null) {
            if (trainRouter) {
                params.router().makeTrainable();
            } else {
                params.router().freeze();
            }
        }
    }

    public BtxParams params() {
        return params;
    }

    @Override public String method() { return method; }
    @Override public GptParams backbone() { return params.backbone(); }
    @Override public LmGraphs graphs(int batch, int seq) { return new BtxGraphs(params, batch, seq); }
    @Override public LmDecoder decoder(int batch) { return new BtxDecoder(params, batch); }
    @Override public List<Slab> slabs() { return params.slabs(); }

    /**
     * A token reads the backbone without its MLPs (which BTX does not run), its layer's router,
     * and the k FFN experts it is routed to (all of them when dense).
     */
    @Override
    public ParameterCounts counts() {
        GptConfig c = params.backbone().config();
        long mlp = BtxParams.mlpParameters(c.width()) * c.layers();
        long router = params.router() == null ? 0 : params.router().size();
        long active = c.parameterCount() - mlp + router + (long) params.config().activeSources() * mlp;
        return ParameterCounts.of(params.slabs(), active);
    }

    /** Matmul weights one token multiplies by, per layer: attention 4C², router E1·C, k experts 8C² each. */
    private long layerMatmulWeights() {
        BtxConfig b = params.config();
        long C = params.backbone().config().width();
        return 4 * C * C + (b.mixed() ? (long) b.sources() * C : 0) + b.activeSources() * 8 * C * C;
    }

    /** Counts only the experts a token computes: k per layer with a sparse router, all when dense. */
    @Override
    public long forwardFlopsPerToken(int seq) {
        GptConfig c = params.backbone().config();
        long mm = c.layers() * layerMatmulWeights() + (long) c.vocab() * c.width();
        return AdaptedModel.gptFlops(mm, c.layers(), seq, c.width());
    }

    /**
     * As {@link BtxGraphs} records the backward pass: the head; per layer every input gradient
     * (the routed experts' on their routed rows, the router's, attention's 8·T·d and its two
     * frozen projections') and the weight gradients of the experts and router when they train.
     */
    @Override
    public long trainFlopsPerToken(int seq) {
        GptConfig c = params.backbone().config();
        BtxConfig b = params.config();
        long C = c.width();
        long experts = b.activeSources() * 8 * C * C, router = b.mixed() ? (long) b.sources() * C : 0;
        boolean expertsTrain = params.experts().get(0).trainable();
        boolean routerTrains = params.router() != null && params.router().trainable();
        long perLayer = 2 * 4 * C * C + 8L * seq * C
                + 2 * experts + (expertsTrain ? 2 * experts : 0)
                + 2 * router + (routerTrains ? 2 * router : 0);
        return forwardFlopsPerToken(seq) + AdaptedModel.headBackwardFlops(params.backbone()) + c.layers() * perLayer;
    }

    @Override
    public void save(Path file, Map<String, String> metadata) {
        Map<String, String> meta = new LinkedHashMap<>(GptCheckpoint.withConfig(metadata, params.backbone().config()));
        BtxConfig b = params.config();
        meta.put(EXPERTS_KEY, String.join(",", b.experts()));
        meta.put(MIXED_KEY, Boolean.toString(b.mixed()));
        meta.put(TOP_K_KEY, Integer.toString(b.topK()));
        meta.put(BALANCE_KEY, Float.toString(b.balance()));
        meta.put(ModeCheckpoint.BACKBONE_KEY, ModeCheckpoint.fingerprint(params.backbone()));
        SlabFiles.save(file, params.ownSlabs(), meta, false);
    }

    /** The BTX structure saved in a checkpoint's metadata. */
    public static BtxConfig config(Checkpoint ckpt) {
        Map<String, String> m = ckpt.metadata();
        if (!m.containsKey(EXPERTS_KEY)) {
            throw new CheckpointException(ckpt.file(), "no " + EXPERTS_KEY + " in the metadata: not a BTX checkpoint");
        }
        try {
            return new BtxConfig(Arrays.asList(m.get(EXPERTS_KEY).split(",")), Boolean.parseBoolean(m.get(MIXED_KEY)),
                    Integer.parseInt(m.get(TOP_K_KEY)), Float.parseFloat(m.get(BALANCE_KEY)));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new CheckpointException(ckpt.file(), "bad BTX metadata: " + e.getMessage());
        }
    }

    /**
     * Loads a model saved by {@link #save} onto {@code backbone}, which must be the one it was
     * trained on (its fingerprint is checked); every slab frozen, named {@code method}.
     */
    public static BtxModel load(Path file, GptParams backbone, String method) {
        Checkpoint ckpt = Safetensors.read(file);
        BtxConfig config = config(ckpt);
        String saved = ckpt.metadata().get(ModeCheckpoint.BACKBONE_KEY);
        if (saved == null || !saved.equals(ModeCheckpoint.fingerprint(backbone))) {
            throw new CheckpointException(file, "was trained on another backbone (fingerprint " + saved
                    + ", this backbone's is " + ModeCheckpoint.fingerprint(backbone) + ")");
        }
        BtxParams params = new BtxParams(backbone, config, 0);
        SlabFiles.load(ckpt, params.ownSlabs(), false);
        return new BtxModel(method, params, false, false);
    }

    /** One stage-1 branch's expert slab from its checkpoint, for stage 2. */
    public static Slab loadBranch(Path file, String domain, GptParams backbone) {
        BtxModel m = load(file, backbone, "btx-branch");
        BtxConfig c = m.params().config();
        if (c.mixed() || !c.experts().equals(List.of(domain))) {
            throw new CheckpointException(file, "is not a btx-branch checkpoint of domain '" + domain + "' (it has experts "
                    + c.experts() + (c.mixed() ? ", mixed" : "") + ")");
        }
        return m.params().expert(domain);
    }
}
