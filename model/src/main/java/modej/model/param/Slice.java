package modej.model.param;

import java.util.Arrays;

/**
 * A named tensor inside a slab.
 *
 * @param name   e.g. {@code "qkv.weight"}
 * @param offset first element in the slab
 * @param shape  row-major shape, e.g. {@code (3C, C)}
 * @param decay  whether AdamW's weight decay applies (matrices yes; biases and norms no)
 */
public record Slice(String name, int offset, int[] shape, boolean decay) {

    public int size() {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    public int end() {
        return offset + size();
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape) + "@" + offset;
    }
}
