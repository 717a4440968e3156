package modej.model.checkpoint;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON header of a safetensors file: {@code {"__metadata__": {str: str}, name: {"dtype": "F32",
 * "shape": [..], "data_offsets": [begin, end]}, ...}}, offsets relative to the data section.
 */
final class SafetensorsHeader {

    static final String METADATA = "__metadata__";
    /** Largest header accepted, as in the reference implementation. */
    static final long MAX_LENGTH = 100_000_000;

    /** Safetensors dtypes this package does not read, to tell "unsupported" from "unknown". */
    private static final Set<String> OTHER_DTYPES = Set.of("BOOL", "U8", "I8", "I16", "U16",
            "U32", "U64", "F64", "C64", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4");

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private SafetensorsHeader() {
    }

    /** One tensor's header entry: its bytes are {@code [begin, end)} of the data section. */
    record Entry(String name, DType dtype, long[] shape, long begin, long end) {
        int numel() {
            return (int) TensorData.countElements(shape);
        }
    }

    /** A decoded header: its metadata, and its entries in header order. */
    record Parsed(Map<String, String> metadata, List<Entry> entries) {
    }

    /**
     * The header for {@code tensors} laid out contiguously in list order, with the two sums under
     * the keys of {@link Checksum}, as UTF-8 padded with spaces to a multiple of 8 bytes.
     */
    static byte[] encode(List<TensorData> tensors, Map<String, String> metadata, String dataSum, String headerSum) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode meta = root.putObject(METADATA);
        Map<String, String> sorted = new TreeMap<>(metadata); // same bytes for the same input
        sorted.put(Checksum.DATA_KEY, dataSum);
        sorted.put(Checksum.HEADER_KEY, headerSum);
        sorted.forEach(meta::put);
        long offset = 0;
        for (TensorData t : tensors) {
            ObjectNode entry = root.putObject(t.name());
            entry.put("dtype", t.dtype().name());
            ArrayNode shape = entry.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            long end = offset + (long) t.numel() * t.dtype().size();
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise header", e);
        }
        byte[] padded = Arrays.copyOf(json, (json.length + 7) / 8 * 8);
        Arrays.fill(padded, json.length, padded.length, (byte) ' ');
        return padded;
    }

    /** Decodes and checks {@code header}; every problem is a {@link CheckpointException} naming {@code file}. */
    static Parsed decode(Path file, byte[] header) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(header)).toString();
        } catch (CharacterCodingException e) {
            throw new CheckpointException(file, "header is not valid UTF-8");
        }
        if (!text.startsWith("{")) {
            throw new CheckpointException(file, "header does not start with '{': not a safetensors file");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            String at = e.getLocation() == null ? "" : " at character " + e.getLocation().getCharOffset();
            throw new CheckpointException(file, "header is not valid JSON" + at + ": " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointException(file, "header is not a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equals(METADATA)) {
                metadata = metadata(file, field.getValue());
            } else {
                entries.add(entry(file, field.getKey(), field.getValue()));
            }
        }
        return new Parsed(metadata, entries);
    }

    /**
     * Checks that the entries tile the data section of {@code dataSize} bytes exactly, with no
     * overlap or gap (in any header order, as the format allows); returns them in offset order.
     */
    static List<Entry> layout(Path file, List<Entry> entries, long dataSize) {
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        String previous = null;
        for (Entry e : byOffset) {
            if (e.begin() < expected) {
                throw new CheckpointException(file, "tensor '" + e.name() + "' data_offsets " + offsets(e)
                        + " overlap tensor '" + previous + "' which ends at " + expected);
            }
            if (e.begin() > expected) {
                throw new CheckpointException(file, "gap of " + (e.begin() - expected) + " bytes before tensor '"
                        + e.name() + "' at data_offsets " + offsets(e));
            }
            expected = e.end();
            previous = e.name();
        }
        if (dataSize < expected) {
            throw new CheckpointException(file, "data section has " + dataSize + " bytes but the header describes "
                    + expected + ": file is truncated");
        }
        if (dataSize > expected) {
            throw new CheckpointException(file, "data section has " + dataSize + " bytes but the header describes "
                    + expected + ": " + (dataSize - expected) + " trailing bytes");
        }
        return byOffset;
    }

    private static Map<String, String> metadata(Path file, JsonNode node) {
        if (!node.isObject()) {
            throw new CheckpointException(file, METADATA + " is not a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> kv : node.properties()) {
            if (!kv.getValue().isTextual()) {
                throw new CheckpointException(file, METADATA + " value of '" + kv.getKey() + "' is not a string");
            }
            metadata.put(kv.getKey(), kv.getValue().textValue());
        }
        return metadata;
    }

    private static Entry entry(Path file, String name, JsonNode node) {
        String what = "tensor '" + name + "'";
        if (name.isEmpty()) {
            throw new CheckpointException(file, "a tensor has an empty name");
        }
        if (!node.isObject()) {
            throw new CheckpointException(file, what + ": entry is not a JSON object");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new CheckpointException(file, what + ": \"dtype\" is missing or not a string");
        }
        DType dtype = dtype(file, what, dtypeNode.textValue());
        long[] shape = naturals(file, what, node, "shape", -1);
        long[] offsets = naturals(file, what, node, "data_offsets", 2);
        long begin = offsets[0], end = offsets[1];
        if (begin > end) {
            throw new CheckpointException(file, what + ": data_offsets [" + begin + ", " + end + "] are out of order");
        }
        long numel = TensorData.countElements(shape);
        if (numel < 0 || numel > Integer.MAX_VALUE - 8) {
            throw new CheckpointException(file, what + ": shape " + Arrays.toString(shape)
                    + " holds more elements than a Java array");
        }
        long bytes = numel * dtype.size();
        if (end - begin != bytes) {
            throw new CheckpointException(file, what + " (" + dtype + ", shape " + Arrays.toString(shape) + ") needs "
                    + bytes + " bytes but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static DType dtype(Path file, String what, String name) {
        for (DType d : DType.values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        if (OTHER_DTYPES.contains(name)) {
            throw new CheckpointException(file, what + " has dtype " + name
                    + ", which MoDE-J does not read (supported: F32, F16, BF16, I32, I64)");
        }
        throw new CheckpointException(file, what + " has unknown dtype '" + name + "'");
    }

    /** The array {@code key} of non-negative integers, of length {@code length} unless it is -1. */
    private static long[] naturals(Path file, String what, JsonNode node, String key, int length) {
        JsonNode array = node.get(key);
        if (array == null || !array.isArray() || (length >= 0 && array.size() != length)) {
            throw new CheckpointException(file, what + ": \"" + key + "\" is missing or not an array"
                    + (length >= 0 ? " of " + length + " integers" : ""));
        }
        long[] values = new long[array.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode v = array.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                throw new CheckpointException(file, what + ": \"" + key + "\" holds " + v
                        + ", not a non-negative integer");
            }
            values[i] = v.longValue();
        }
        return values;
    }

    private static String offsets(Entry e) {
        return "[" + e.begin() + ", " + e.end() + "]";
    }
}
