package modej.model.checkpoint;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import modej.model.param.Slab;
import modej.model.param.Slice;

/**
 * Slabs in safetensors files, one tensor per slice named {@code <slab>.<slice>} (AdamW moments,
 * when saved, as {@code adam_m.<slab>.<slice>} and {@code adam_v.<slab>.<slice>}). Any subset of
 * the slabs in a file can be loaded by name, so a file can hold one expert or a whole model.
 */
public final class SlabFiles {

    private SlabFiles() {
    }

    /** Writes the slabs atomically; moments are saved for the trainable ones when asked. */
    public static void save(Path file, List<Slab> slabs, Map<String, String> metadata, boolean withOptimizer) {
        List<TensorData> tensors = new ArrayList<>();
        for (Slab slab : slabs) {
            add(tensors, "", slab, slab.params().data());
        }
        if (withOptimizer) {
            for (Slab slab : slabs) {
                if (slab.trainable()) {
                    add(tensors, "adam_m.", slab, slab.m().data());
                    add(tensors, "adam_v.", slab, slab.v().data());
                }
            }
        }
        Safetensors.write(file, tensors, metadata);
    }

    /**
     * Fills the slabs' parameters (and, with {@code withOptimizer}, makes them trainable and fills
     * their moments) from a checkpoint read earlier; every slice must be there with its shape.
     */
    public static void load(Checkpoint ckpt, List<Slab> slabs, boolean withOptimizer) {
        for (Slab slab : slabs) {
            copy(ckpt, "", slab, slab.params().data());
            if (withOptimizer) {
                slab.makeTrainable();
                copy(ckpt, "adam_m.", slab, slab.m().data());
                copy(ckpt, "adam_v.", slab, slab.v().data());
            }
        }
    }

    /** Whether the checkpoint holds every slice of a slab of this name (e.g. to list its experts). */
    public static boolean contains(Checkpoint ckpt, Slab slab) {
        return slab.layout().slices().stream().allMatch(s -> ckpt.tensors().containsKey(slab.name() + "." + s.name()));
    }

    private static void add(List<TensorData> out, String prefix, Slab slab, float[] data) {
        for (Slice s : slab.layout().slices()) {
            out.add(new TensorData.F32(prefix + slab.name() + "." + s.name(),
                    Arrays.copyOfRange(data, s.offset(), s.end()), shape(s)));
        }
    }

    private static void copy(Checkpoint ckpt, String prefix, Slab slab, float[] into) {
        for (Slice s : slab.layout().slices()) {
            String name = prefix + slab.name() + "." + s.name();
            ckpt.expectShape(name, shape(s));
            System.arraycopy(ckpt.floats(name), 0, into, s.offset(), s.size());
        }
    }

    private static long[] shape(Slice s) {
        return Arrays.stream(s.shape()).asLongStream().toArray();
    }
}
