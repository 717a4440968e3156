package modej.model.checkpoint;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The contents of a checkpoint file: string metadata and tensors by name, in the order the file
 * lists them. The lookups fail with a {@link CheckpointException} that names the file and tensor.
 *
 * @param file     where it was read from (null for one built in memory)
 * @param metadata the header's {@code __metadata__}, including the sums {@code modej.sha256} and
 *                 {@code modej.header_sha256} when present
 * @param tensors  tensors by name, in header order
 */
public record Checkpoint(Path file, Map<String, String> metadata, SequencedMap<String, TensorData> tensors) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Copies both maps into unmodifiable ones. */
    public Checkpoint {
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        tensors = Collections.unmodifiableSequencedMap(new LinkedHashMap<>(tensors));
    }

    /**
     * The metadata value under {@code key}, read as JSON into {@code type}; fails when it is
     * missing ("not {@code what}") or does not parse.
     */
    public <T> T metadataJson(String key, Class<T> type, String what) {
        String json = metadata.get(key);
        if (json == null) {
            throw new CheckpointException(file, "no " + key + " in the metadata: not " + what);
        }
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new CheckpointException(file, "bad " + key + ": " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    /** The tensor called {@code name}; fails if there is none. */
    public TensorData tensor(String name) {
        TensorData t = tensors.get(name);
        if (t == null) {
            String names = tensors.keySet().stream().limit(8).collect(Collectors.joining(", "));
            String more = tensors.size() > 8 ? ", ..." : "";
            throw new CheckpointException(file, "no tensor '" + name + "' (it has " + tensors.size()
                    + " tensors: " + names + more + ")");
        }
        return t;
    }

    /** The data of float32 tensor {@code name}; fails if it is missing or not F32. */
    public float[] floats(String name) {
        return ((TensorData.F32) ofType(name, DType.F32)).data();
    }

    /** The data of int32 tensor {@code name}; fails if it is missing or not I32. */
    public int[] ints(String name) {
        return ((TensorData.I32) ofType(name, DType.I32)).data();
    }

    /** The data of int64 tensor {@code name}; fails if it is missing or not I64. */
    public long[] longs(String name) {
        return ((TensorData.I64) ofType(name, DType.I64)).data();
    }

    /** The tensor called {@code name}, after checking that its shape is exactly {@code shape}. */
    public TensorData expectShape(String name, long... shape) {
        TensorData t = tensor(name);
        if (!Arrays.equals(t.shape(), shape)) {
            throw new CheckpointException(file, "tensor '" + name + "' has shape "
                    + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(shape));
        }
        return t;
    }

    private TensorData ofType(String name, DType dtype) {
        TensorData t = tensor(name);
        if (t.dtype() != dtype) {
            throw new CheckpointException(file, "tensor '" + name + "' is " + t.dtype() + ", not " + dtype);
        }
        return t;
    }
}
