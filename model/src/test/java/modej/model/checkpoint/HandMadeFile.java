package modej.model.checkpoint;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds safetensors bytes by hand from the spec, without the code under test. */
final class HandMadeFile {

    private HandMadeFile() {
    }

    /** 8-byte little-endian length of {@code header}, the header's UTF-8 bytes, then {@code data}. */
    static byte[] of(String header, int... data) {
        return of(header.getBytes(StandardCharsets.UTF_8), data);
    }

    /** 8-byte little-endian length of {@code header}, the header bytes, then {@code data}. */
    static byte[] of(byte[] header, int... data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long n = header.length;
        for (int i = 0; i < 8; i++) {
            out.write((int) (n >>> (8 * i)) & 0xff);
        }
        out.writeBytes(header);
        for (int b : data) {
            out.write(b);
        }
        return out.toByteArray();
    }

    /** The header length stored in the first 8 bytes of {@code file}. */
    static long headerLength(byte[] file) {
        long n = 0;
        for (int i = 7; i >= 0; i--) {
            n = (n << 8) | (file[i] & 0xff);
        }
        return n;
    }
}
