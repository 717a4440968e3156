package modej.model.mode;

import java.util.HashSet;
import java.util.List;

/**
 * The MoDE structure around a backbone of {@code backboneLayers} layers.
 *
 * @param blocks               B contiguous blocks the backbone's layers are split into
 * @param layersPerExpertBlock k transformer layers each expert has per block
 * @param experts              expert names (e.g. {@code code}, {@code math}), in gate order after the backbone
 * @param gate                 gate options
 * @param init                 {@code random}, or {@code copy:first}, {@code copy:last} or {@code copy:0,2}: which of
 *                             the block's backbone layers the expert's k layers start as
 */
public record ModeConfig(int blocks, int layersPerExpertBlock, List<String> experts, GateConfig gate, String init) {

    public ModeConfig {
        if (blocks < 1) {
            throw new IllegalArgumentException("blocks: must be >= 1, got " + blocks);
        }
        if (layersPerExpertBlock < 1) {
            throw new IllegalArgumentException("layersPerExpertBlock: must be >= 1, got " + layersPerExpertBlock);
        }
        experts = List.copyOf(experts);
        if (new HashSet<>(experts).size() != experts.size()) {
            throw new IllegalArgumentException("experts: names must be unique, got " + experts);
        }
        for (String e : experts) {
            if (!e.matches("[A-Za-z0-9_-]+")) {
                throw new IllegalArgumentException("experts: '" + e + "' is not a name of letters, digits, '_' or '-'");
            }
        }
        if (!init.equals("random") && !init.matches("copy:(first|last|\\d+(,\\d+)*)")) {
            throw new IllegalArgumentException("init: expected random, copy:first, copy:last or copy:<i,j,...>, got '" + init + "'");
        }
    }

    /** Sources the gate mixes: the backbone and every expert. */
    public int sources() {
        return 1 + experts.size();
    }

    /** Checks this structure against a backbone with {@code layers} layers. */
    public void validateFor(int layers) {
        if (layers % blocks != 0) {
            throw new IllegalArgumentException("blocks: " + blocks + " does not divide the backbone's " + layers + " layers");
        }
        int per = layers / blocks;
        for (int i : copyIndices(per)) {
            if (i >= per) {
                throw new IllegalArgumentException("init: layer " + i + " is outside a block of " + per + " layers");
            }
        }
    }

    /** Backbone layer indices within a block that expert layers 0..k-1 copy (empty for random init). */
    public int[] copyIndices(int layersPerBlock) {
        int k = layersPerExpertBlock;
        if (init.equals("random")) {
            return new int[0];
        }
        String which = init.substring("copy:".length());
        int[] idx = new int[k];
        if (which.equals("first") || which.equals("last")) {
            if (k > layersPerBlock) {
                throw new IllegalArgumentException("init: cannot copy " + k + " layers from a block of " + layersPerBlock);
            }
            for (int j = 0; j < k; j++) {
                idx[j] = which.equals("first") ? j : layersPerBlock - k + j;
            }
            return idx;
        }
        String[] parts = which.split(",");
        if (parts.length != k) {
            throw new IllegalArgumentException("init: " + init + " names " + parts.length + " layers, but experts have " + k + " per block");
        }
        for (int j = 0; j < k; j++) {
            idx[j] = Integer.parseInt(parts[j]);
        }
        return idx;
    }
}
