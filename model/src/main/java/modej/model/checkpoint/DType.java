package modej.model.checkpoint;

/**
 * Element types a checkpoint holds, named as in the safetensors header. All little-endian. Tensors
 * are held and written as F32, I32 or I64; F16 and BF16 (other tools' checkpoints) become F32 on read.
 */
public enum DType {
    /** IEEE 754 binary32. */
    F32(4),
    /** IEEE 754 binary16; read only, widened to {@link #F32} (exactly) as it is read. */
    F16(2),
    /** bfloat16 (the top half of a binary32); read only, widened to {@link #F32} (exactly) as it is read. */
    BF16(2),
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
