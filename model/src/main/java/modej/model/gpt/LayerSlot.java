package modej.model.gpt;

import modej.model.param.Slab;

/**
 * Where one transformer layer's weights live: a slab and the prefix of its slice names. A
 * backbone layer owns a slab ({@code prefix = ""}); an expert keeps all its layers in one slab
 * ({@code prefix = "b1.l0."}).
 */
public record LayerSlot(Slab slab, String prefix) {

    public static LayerSlot of(Slab slab) {
        return new LayerSlot(slab, "");
    }

    public int offset(String slice) {
        return slab.offset(prefix + slice);
    }

    public boolean trainable() {
        return slab.trainable();
    }
}
