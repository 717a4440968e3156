package modej.model.checkpoint;

/** Element types a checkpoint holds, named as in the safetensors header. All little-endian. */
public enum DType {
    /** IEEE 754 binary32. */
    F32(4),
    /** Two's-complement 32-bit integer. */
    I32(4),
    /** Two's-complement 64-bit integer. */
    I64(8);

    private final int size;

    DType(int size) {
        this.size = size;
    }

    /** Bytes per element. */
    public int size() {
        return size;
    }
}
