package modej.model.param;

import modej.engine.graph.Buffer;

/**
 * One module's parameters (embeddings, a layer, an expert, a gate, …) in one flat buffer, with
 * its gradients and AdamW moments beside it. A slab is the unit that is frozen, trained, placed
 * on a device, counted and saved. Frozen slabs carry no gradient or moment buffers.
 */
public final class Slab {

    private final String name;
    private final Layout layout;
    private final Buffer.F32 params;
    private Buffer.F32 grads;
    private Buffer.F32 m;
    private Buffer.F32 v;
    private float learningRateScale = 1f;

    public Slab(String name, Layout layout) {
        this.name = name;
        this.layout = layout;
        this.params = new Buffer.F32(name + ".params", layout.size());
    }

    public String name() {
        return name;
    }

    public Layout layout() {
        return layout;
    }

    public Buffer.F32 params() {
        return params;
    }

    /** The multiple of the optimizer's learning rate this slab is trained at (1 unless set). */
    public float learningRateScale() {
        return learningRateScale;
    }

    /**
     * Trains this slab at {@code scale} × the optimizer's learning rate (e.g. a gate faster than
     * the experts). Read when an optimizer is recorded.
     */
    public Slab learningRateScale(float scale) {
        if (!(scale > 0) || Float.isInfinite(scale)) {
            throw new IllegalArgumentException(name + ": learning-rate scale must be > 0, got " + scale);
        }
        this.learningRateScale = scale;
        return this;
    }

    public boolean trainable() {
        return grads != null;
    }

    /** Allocates gradient and moment buffers (once). */
    public Slab makeTrainable() {
        if (grads == null) {
            grads = new Buffer.F32(name + ".grads", layout.size());
            m = new Buffer.F32(name + ".adam_m", layout.size());
            v = new Buffer.F32(name + ".adam_v", layout.size());
        }
        return this;
    }

    /**
     * Drops the gradient and moment buffers (if any): the slab is frozen again, and graphs recorded
     * from now on neither compute its gradients nor update it. Graphs recorded before keep the
     * buffers they captured.
     */
    public Slab freeze() {
        grads = null;
        m = null;
        v = null;
        return this;
    }

    public Buffer.F32 grads() {
        return require(grads);
    }

    public Buffer.F32 m() {
        return require(m);
    }

    public Buffer.F32 v() {
        return require(v);
    }

    private Buffer.F32 require(Buffer.F32 b) {
        if (b == null) {
            throw new IllegalStateException("slab " + name + " is frozen: it has no gradients or moments");
        }
        return b;
    }

    public int offset(String slice) {
        return layout.offset(slice);
    }

    public int size() {
        return layout.size();
    }
}
