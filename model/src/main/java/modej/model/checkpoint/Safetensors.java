package modej.model.checkpoint;

import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Reads and writes checkpoints in the safetensors format: an 8-byte little-endian header length
 * N, N bytes of UTF-8 JSON header (see {@link SafetensorsHeader}), then the data section holding
 * every tensor's little-endian bytes back to back.
 *
 * <p>Files written here also carry, in {@code __metadata__}, {@code "modej.sha256"}: the hex
 * SHA-256 of the data section, and {@code "modej.header_sha256"}: that of the header itself (with
 * its own value zeroed), so that a flipped bit in a name or metadata string is caught too. {@link
 * #read} checks both; files with neither key (from other tools) are read without the checks.
 * Arrays are streamed through a small buffer, never copied whole.
 */
public final class Safetensors {

    /** Bytes per I/O chunk; a multiple of every element size. */
    private static final int CHUNK = 1 << 20;

    private Safetensors() {
    }

    /**
     * Writes {@code tensors}, in list order, and {@code metadata} to {@code file} atomically: the
     * bytes go to a temporary file in the same directory, are forced to disk, then renamed over
     * {@code file}, so {@code file} holds either its old contents or the whole new checkpoint.
     * The keys {@code modej.sha256} and {@code modej.header_sha256} of {@code metadata}, if given, are
     * replaced by the sums of the new file.
     *
     * @throws IllegalArgumentException if two tensors share a name or one is named {@code __metadata__}
     * @throws CheckpointException      if the file cannot be written
     */
    public static void write(Path file, List<TensorData> tensors, Map<String, String> metadata) {
        checkNames(tensors);
        metadata.forEach((k, v) -> Objects.requireNonNull(v, "metadata value of " + k));
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        // the header's length does not depend on the sums' values: write the data first
        String zeros = Checksum.PLACEHOLDER;
        int headerLength = SafetensorsHeader.encode(tensors, metadata, zeros, zeros).length;
        String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong());
        Path temp = dir.resolve("." + target.getFileName() + "." + suffix + ".tmp"); // same file system: atomic rename
        try {
            try (FileChannel out = FileChannel.open(temp, CREATE_NEW, WRITE)) {
                MessageDigest sha = Checksum.sha256();
                long dataBytes = tensors.stream().mapToLong(t -> (long) t.numel() * t.dtype().size()).sum();
                ByteBuffer chunk = chunkFor(dataBytes);
                long position = 8L + headerLength;
                for (TensorData t : tensors) {
                    position = writeData(out, position, t, sha, chunk);
                }
                String dataSum = Checksum.hex(sha);
                byte[] draft = SafetensorsHeader.encode(tensors, metadata, dataSum, zeros);
                byte[] header = SafetensorsHeader.encode(tensors, metadata, dataSum, Checksum.ofDraftHeader(draft));
                if (header.length != headerLength) {
                    throw new IllegalStateException("header length changed: " + headerLength + " -> " + header.length);
                }
                ByteBuffer head = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
                head.putLong(header.length).put(header).flip();
                writeFully(out, head, 0);
                out.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            forceDirectory(dir);
        } catch (IOException e) {
            throw new CheckpointException(target, "cannot write: " + e, e);
        } finally {
            try {
                Files.deleteIfExists(temp); // only still there if something failed
            } catch (IOException ignored) {
                // the failure that brought us here is the one to report
            }
        }
    }

    /**
     * Reads and checks {@code file}: header, layout, sizes and, when present, both checksums.
     *
     * @throws CheckpointException naming the file and the problem, if it is not a sound checkpoint
     */
    public static Checkpoint read(Path file) {
        try (FileChannel in = FileChannel.open(file, READ)) {
            long size = in.size();
            if (size < 8) {
                throw new CheckpointException(file, "file has " + size
                        + " bytes, too short for the 8-byte header length");
            }
            long headerLength = readFully(in, ByteBuffer.allocate(8), 0).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerLength < 0) {
                throw new CheckpointException(file, "header length " + Long.toUnsignedString(headerLength)
                        + " is negative as a signed 64-bit integer: not a safetensors file");
            }
            if (headerLength > SafetensorsHeader.MAX_LENGTH) {
                throw new CheckpointException(file, "header length " + headerLength + " exceeds the limit of "
                        + SafetensorsHeader.MAX_LENGTH + " bytes: not a safetensors file");
            }
            if (headerLength > size - 8) {
                throw new CheckpointException(file, "header length " + headerLength + " exceeds the " + (size - 8)
                        + " bytes after the length field: file is truncated");
            }
            byte[] header = readFully(in, ByteBuffer.allocate((int) headerLength), 8).array();
            SafetensorsHeader.Parsed parsed = SafetensorsHeader.decode(file, header);
            long dataStart = 8 + headerLength;
            var byOffset = SafetensorsHeader.layout(file, parsed.entries(), size - dataStart);
            boolean summed = Checksum.checkHeader(file, header, parsed.metadata());
            MessageDigest sha = summed ? Checksum.sha256() : null;
            ByteBuffer chunk = chunkFor(size - dataStart);
            Map<String, TensorData> loaded = new LinkedHashMap<>();
            for (SafetensorsHeader.Entry e : byOffset) {
                loaded.put(e.name(), readData(in, dataStart, e, sha, chunk));
            }
            if (summed && !Checksum.hex(sha).equals(parsed.metadata().get(Checksum.DATA_KEY))) {
                throw new CheckpointException(file, "data checksum mismatch: file is corrupted");
            }
            var tensors = new LinkedHashMap<String, TensorData>();
            parsed.entries().forEach(e -> tensors.put(e.name(), loaded.get(e.name())));
            return new Checkpoint(file, parsed.metadata(), tensors);
        } catch (EOFException e) {
            throw new CheckpointException(file, "file ended early (changed while being read?)", e);
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read: " + (e instanceof java.nio.file.NoSuchFileException ? "no such file"
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e.toString()), e);
        }
    }

    /** Writes {@code t}'s bytes at {@code position}, feeding them to {@code sha}; returns the end position. */
    private static long writeData(FileChannel out, long position, TensorData t, MessageDigest sha, ByteBuffer chunk)
            throws IOException {
        int size = t.dtype().size();
        int perChunk = chunk.capacity() / size;
        for (int off = 0; off < t.numel(); off += perChunk) {
            int n = Math.min(perChunk, t.numel() - off);
            chunk.clear();
            switch (t) {
                case TensorData.F32 f -> chunk.asFloatBuffer().put(f.data(), off, n);
                case TensorData.I32 i -> chunk.asIntBuffer().put(i.data(), off, n);
                case TensorData.I64 l -> chunk.asLongBuffer().put(l.data(), off, n);
            }
            chunk.limit(n * size);
            sha.update(chunk.array(), 0, n * size);
            position += writeFully(out, chunk, position);
        }
        return position;
    }

    /** Reads entry {@code e} of the data section starting at {@code dataStart}, feeding {@code sha} if not null. */
    private static TensorData readData(FileChannel in, long dataStart, SafetensorsHeader.Entry e, MessageDigest sha,
                                       ByteBuffer chunk) throws IOException {
        int numel = e.numel(), size = e.dtype().size(), perChunk = chunk.capacity() / size;
        Object array = switch (e.dtype()) {
            case F32, F16, BF16 -> new float[numel];
            case I32 -> new int[numel];
            case I64 -> new long[numel];
        };
        long position = dataStart + e.begin();
        for (int off = 0; off < numel; off += perChunk) {
            int n = Math.min(perChunk, numel - off);
            chunk.clear().limit(n * size);
            readFully(in, chunk, position);
            position += (long) n * size;
            if (sha != null) {
                sha.update(chunk.array(), 0, n * size);
            }
            if (size == 2) {
                widen(chunk, (float[]) array, off, n, e.dtype());
                continue;
            }
            switch (array) {
                case float[] a -> chunk.asFloatBuffer().get(a, off, n);
                case int[] a -> chunk.asIntBuffer().get(a, off, n);
                case long[] a -> chunk.asLongBuffer().get(a, off, n);
                default -> throw new AssertionError(array);
            }
        }
        return switch (array) {
            case float[] a -> new TensorData.F32(e.name(), a, e.shape());
            case int[] a -> new TensorData.I32(e.name(), a, e.shape());
            case long[] a -> new TensorData.I64(e.name(), a, e.shape());
            default -> throw new AssertionError(array);
        };
    }

    /** n half-precision values (F16 or BF16) from {@code chunk} into {@code into[off…]}, exactly. */
    private static void widen(ByteBuffer chunk, float[] into, int off, int n, DType dtype) {
        var halves = chunk.asShortBuffer();
        for (int i = 0; i < n; i++) {
            short h = halves.get(i);
            into[off + i] = dtype == DType.F16 ? Float.float16ToFloat(h) : Float.intBitsToFloat((h & 0xffff) << 16);
        }
    }

    private static void checkNames(List<TensorData> tensors) {
        Set<String> seen = new HashSet<>();
        for (TensorData t : tensors) {
            if (t.name().equals(SafetensorsHeader.METADATA)) {
                throw new IllegalArgumentException("a tensor cannot be named " + SafetensorsHeader.METADATA);
            }
            if (!seen.add(t.name())) {
                throw new IllegalArgumentException("two tensors are named '" + t.name() + "'");
            }
        }
    }

    /** An I/O buffer for a data section of {@code dataBytes}: at most {@link #CHUNK}, a multiple of 8. */
    private static ByteBuffer chunkFor(long dataBytes) {
        int capacity = (int) Math.max(8, Math.min(CHUNK, (dataBytes + 7) / 8 * 8));
        return ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Writes all of {@code buf} at {@code position}; returns the byte count. */
    private static int writeFully(FileChannel out, ByteBuffer buf, long position) throws IOException {
        int n = buf.remaining();
        while (buf.hasRemaining()) {
            position += out.write(buf, position);
        }
        return n;
    }

    /** Fills {@code buf} from {@code position} and flips it. */
    private static ByteBuffer readFully(FileChannel in, ByteBuffer buf, long position) throws IOException {
        while (buf.hasRemaining()) {
            int n = in.read(buf, position);
            if (n < 0) {
                throw new EOFException();
            }
            position += n;
        }
        return buf.flip();
    }

    /** Makes the rename durable where the platform allows opening a directory. */
    private static void forceDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not all systems can sync a directory; the file itself is already on disk
        }
    }
}
