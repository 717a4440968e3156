package modej.model.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import modej.engine.jvm.JvmBackend;
import modej.model.gpt.GptConfig;
import modej.model.gpt.GptParams;
import modej.model.gpt.Runner;
import modej.model.param.Slab;
import modej.model.tokenizer.Gpt2Tokenizer;

/**
 * GPT-2 in Hugging Face layout, written here by an independent writer (its own header, Conv1D
 * transposes and half-precision rounding), imported, compared bit for bit with the native model it
 * came from and with a double-precision forward pass written from the published GPT-2 definition.
 */
class HuggingFaceGpt2Test {

    @TempDir
    Path dir;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int V = Gpt2Tokenizer.VOCAB, CTX = 8, LAYERS = 2, HEADS = 2, C = 16;

    /** A native model with every parameter random (LayerNorm gains and biases too), values exact in {@code dtype}. */
    private static GptParams randomNative(long seed, String dtype) {
        GptParams p = new GptParams(new GptConfig(V, CTX, LAYERS, HEADS, C, true));
        SplittableRandom rnd = new SplittableRandom(seed);
        for (Slab s : p.slabs()) {
            float[] d = s.params().data();
            for (int i = 0; i < d.length; i++) {
                d[i] = round((float) (rnd.nextGaussian() * 0.3), dtype);
            }
        }
        for (Slab s : p.slabs()) { // LayerNorm gains near 1
            for (var slice : s.layout().slices()) {
                if (slice.name().matches(".*ln.?\\.weight|lnf\\.weight")) {
                    for (int i = slice.offset(); i < slice.end(); i++) {
                        s.params().data()[i] = round(1f + s.params().data()[i], dtype);
                    }
                }
            }
        }
        return p;
    }

    private static float round(float x, String dtype) {
        return switch (dtype) {
            case "F16" -> Float.float16ToFloat(Float.floatToFloat16(x));
            case "BF16" -> Float.intBitsToFloat(Float.floatToRawIntBits(x) & 0xffff0000); // exact: truncated
            default -> x;
        };
    }

    /** The model's tensors in GPT-2's layout, by this test's own mapping. */
    private static Map<String, float[]> hfTensors(GptParams p) {
        Map<String, float[]> t = new LinkedHashMap<>();
        t.put("wte.weight", slice(p.embeddings(), "wte"));
        t.put("wpe.weight", slice(p.embeddings(), "wpe"));
        String[][] names = {{"ln_1.weight", "ln1.weight"}, {"ln_1.bias", "ln1.bias"}, {"attn.c_attn.weight", "qkv.weight"},
                {"attn.c_attn.bias", "qkv.bias"}, {"attn.c_proj.weight", "attn_proj.weight"}, {"attn.c_proj.bias", "attn_proj.bias"},
                {"ln_2.weight", "ln2.weight"}, {"ln_2.bias", "ln2.bias"}, {"mlp.c_fc.weight", "fc.weight"},
                {"mlp.c_fc.bias", "fc.bias"}, {"mlp.c_proj.weight", "fc_proj.weight"}, {"mlp.c_proj.bias", "fc_proj.bias"}};
        for (int l = 0; l < LAYERS; l++) {
            for (String[] n : names) {
                float[] w = slice(p.layer(l), n[1]);
                int[] shape = p.layer(l).layout().get(n[1]).shape();
                t.put("h." + l + "." + n[0], shape.length == 2 ? transpose(w, shape[0], shape[1]) : w);
            }
        }
        t.put("ln_f.weight", slice(p.finalNorm(), "lnf.weight"));
        t.put("ln_f.bias", slice(p.finalNorm(), "lnf.bias"));
        return t;
    }

    private static long[] hfShape(String name) {
        if (name.endsWith("wte.weight") || name.equals("lm_head.weight")) return new long[] {V, C};
        if (name.endsWith("wpe.weight")) return new long[] {CTX, C};
        if (name.endsWith("c_attn.weight")) return new long[] {C, 3 * C};
        if (name.endsWith("c_attn.bias")) return new long[] {3 * C};
        if (name.endsWith("attn.c_proj.weight")) return new long[] {C, C};
        if (name.endsWith("c_fc.weight")) return new long[] {C, 4 * C};
        if (name.endsWith("c_fc.bias")) return new long[] {4 * C};
        if (name.endsWith("mlp.c_proj.weight")) return new long[] {4 * C, C};
        return new long[] {C};
    }

    private static float[] slice(Slab s, String name) {
        var sl = s.layout().get(name);
        return java.util.Arrays.copyOfRange(s.params().data(), sl.offset(), sl.end());
    }

    /** (rows, cols) → (cols, rows). */
    private static float[] transpose(float[] w, int rows, int cols) {
        float[] t = new float[w.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = w[r * cols + c];
            }
        }
        return t;
    }

    /** Writes a safetensors file by hand: each tensor in {@code dtype}, names through {@code rename}. */
    private static void writeHf(Path modelDir, Map<String, float[]> tensors, String dtype, UnaryOperator<String> rename,
                                UnaryOperator<ObjectNode> config, Map<String, String> dtypes) throws IOException {
        Files.createDirectories(modelDir);
        ObjectNode cfg = JSON.createObjectNode().put("model_type", "gpt2").put("vocab_size", V).put("n_positions", CTX)
                .put("n_embd", C).put("n_layer", LAYERS).put("n_head", HEADS).put("activation_function", "gelu_new")
                .put("layer_norm_epsilon", 1e-5);
        JSON.writeValue(modelDir.resolve("config.json").toFile(), config.apply(cfg));
        ObjectNode header = JSON.createObjectNode();
        header.putObject("__metadata__").put("format", "pt");
        ByteBuffer data = ByteBuffer.allocate(64 << 20).order(ByteOrder.LITTLE_ENDIAN);
        for (var e : tensors.entrySet()) {
            String type = dtypes.getOrDefault(e.getKey(), dtype);
            long begin = data.position();
            for (float x : e.getValue()) {
                switch (type) {
                    case "F32" -> data.putFloat(x);
                    case "F16" -> data.putShort(Float.floatToFloat16(x));
                    case "BF16" -> data.putShort((short) (Float.floatToRawIntBits(x) >>> 16));
                    case "I32" -> data.putInt((int) x);
                    default -> throw new IllegalArgumentException(type);
                }
            }
            ObjectNode entry = header.putObject(rename.apply(e.getKey()));
            entry.put("dtype", type);
            var shape = entry.putArray("shape");
            for (long d : e.getKey().matches("h\\.\\d+\\.attn\\.bias") ? new long[] {1, 1, CTX, CTX}
                    : hfShape(e.getKey())) {
                shape.add(d);
            }
            entry.putArray("data_offsets").add(begin).add(data.position());
        }
        byte[] json = JSON.writeValueAsBytes(header);
        ByteBuffer head = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length);
        byte[] body = java.util.Arrays.copyOf(data.array(), data.position());
        byte[] all = new byte[8 + json.length + body.length];
        System.arraycopy(head.array(), 0, all, 0, 8);
        System.arraycopy(json, 0, all, 8, json.length);
        System.arraycopy(body, 0, all, 8 + json.length, body.length);
        Files.write(modelDir.resolve("model.safetensors"), all);
    }

    private static void assertSameParams(GptParams a, GptParams b) {
        assertEquals(a.config(), b.config());
        for (int i = 0; i < a.slabs().size(); i++) {
            float[] x = a.slabs().get(i).params().data(), y = b.slabs().get(i).params().data();
            for (int j = 0; j < x.length; j++) {
                assertEquals(Float.floatToRawIntBits(x[j]), Float.floatToRawIntBits(y[j]),
                        a.slabs().get(i).name() + "[" + j + "]");
            }
        }
    }

    private static float[] probabilities(GptParams p, int[] tokens) {
        try (JvmBackend backend = new JvmBackend(2, true, false)) {
            Runner r = Runner.of(p, 1, tokens.length, backend, null);
            r.forward(tokens);
            return r.probabilities().clone();
        }
    }

    @Test
    void importedEqualsNativeInEveryDtypeAndPrefix() throws IOException {
        int[] tokens = {15496, 995, 0, 628, 464, 50256, 31373, 262};
        int variant = 0;
        for (String dtype : List.of("F32", "F16", "BF16")) {
            for (String prefix : List.of("", "transformer.")) {
                GptParams nat = randomNative(variant, dtype);
                Map<String, float[]> hf = hfTensors(nat);
                hf.put("h.0.attn.bias", new float[CTX * CTX]); // the mask buffer old checkpoints carry
                Map<String, float[]> withHead = new LinkedHashMap<>(hf);
                withHead.put("lm_head.weight", hf.get("wte.weight")); // tied head, saved anyway
                Path d = dir.resolve("m" + variant++);
                writeHf(d, prefix.isEmpty() ? withHead : hf, dtype, n -> n.equals("lm_head.weight") ? n : prefix + n,
                        c -> c, Map.of());
                HuggingFaceGpt2.Imported imported = HuggingFaceGpt2.read(d);
                assertSameParams(nat, imported.params());
                assertNull(imported.params().head());
                assertEquals("gpt2", imported.metadata().get("modej.tokenizer"));
                assertArrayEquals(probabilities(nat, tokens), probabilities(imported.params(), tokens), dtype + prefix);
            }
        }
    }

    /** The importer against GPT-2's published definition, evaluated in double precision on the HF tensors. */
    @Test
    void agreesWithADoublePrecisionReference() throws IOException {
        GptParams nat = randomNative(42, "F32");
        Map<String, float[]> hf = hfTensors(nat);
        writeHf(dir.resolve("ref"), hf, "F32", n -> n, c -> c, Map.of());
        GptParams imported = HuggingFaceGpt2.read(dir.resolve("ref")).params();
        int[] tokens = {464, 2068, 7586, 21831, 18045, 625, 262, 16931};
        float[] probs = probabilities(imported, tokens);
        double[][] logits = referenceLogits(hf, tokens);
        double worst = 0;
        for (int t = 0; t < tokens.length; t++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (double x : logits[t]) max = Math.max(max, x);
            for (double x : logits[t]) sum += Math.exp(x - max);
            for (int v = 0; v < V; v++) {
                double logp = logits[t][v] - max - Math.log(sum);
                worst = Math.max(worst, Math.abs(Math.log(probs[t * V + v]) - logp));
            }
        }
        assertTrue(worst < 2e-3, "worst log-probability difference " + worst);
    }

    /** GPT-2 forward (pre-LN blocks, gelu_new, LayerNorm eps 1e-5, tied head) on HF-layout tensors, in double. */
    static double[][] referenceLogits(Map<String, float[]> w, int[] tokens) {
        int T = tokens.length, hs = C / HEADS;
        double[][] x = new double[T][C];
        for (int t = 0; t < T; t++) {
            for (int c = 0; c < C; c++) {
                x[t][c] = w.get("wte.weight")[tokens[t] * C + c] + w.get("wpe.weight")[t * C + c];
            }
        }
        for (int l = 0; l < LAYERS; l++) {
            String h = "h." + l + ".";
            double[][] a = layerNorm(x, w.get(h + "ln_1.weight"), w.get(h + "ln_1.bias"));
            double[][] qkv = conv1d(a, w.get(h + "attn.c_attn.weight"), w.get(h + "attn.c_attn.bias"), 3 * C);
            double[][] y = new double[T][C];
            for (int head = 0; head < HEADS; head++) {
                for (int t = 0; t < T; t++) {
                    double[] s = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int u = 0; u <= t; u++) {
                        for (int j = 0; j < hs; j++) {
                            s[u] += qkv[t][head * hs + j] * qkv[u][C + head * hs + j];
                        }
                        s[u] /= Math.sqrt(hs);
                        max = Math.max(max, s[u]);
                    }
                    double z = 0;
                    for (int u = 0; u <= t; u++) {
                        s[u] = Math.exp(s[u] - max);
                        z += s[u];
                    }
                    for (int u = 0; u <= t; u++) {
                        for (int j = 0; j < hs; j++) {
                            y[t][head * hs + j] += s[u] / z * qkv[u][2 * C + head * hs + j];
                        }
                    }
                }
            }
            add(x, conv1d(y, w.get(h + "attn.c_proj.weight"), w.get(h + "attn.c_proj.bias"), C));
            double[][] m = conv1d(layerNorm(x, w.get(h + "ln_2.weight"), w.get(h + "ln_2.bias")),
                    w.get(h + "mlp.c_fc.weight"), w.get(h + "mlp.c_fc.bias"), 4 * C);
            for (double[] row : m) {
                for (int i = 0; i < row.length; i++) {
                    double v = row[i];
                    row[i] = 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))); // gelu_new
                }
            }
            add(x, conv1d(m, w.get(h + "mlp.c_proj.weight"), w.get(h + "mlp.c_proj.bias"), C));
        }
        double[][] f = layerNorm(x, w.get("ln_f.weight"), w.get("ln_f.bias"));
        double[][] logits = new double[T][V];
        for (int t = 0; t < T; t++) {
            for (int v = 0; v < V; v++) {
                for (int c = 0; c < C; c++) {
                    logits[t][v] += f[t][c] * w.get("wte.weight")[v * C + c];
                }
            }
        }
        return logits;
    }

    private static double[][] layerNorm(double[][] x, float[] g, float[] b) {
        double[][] out = new double[x.length][C];
        for (int t = 0; t < x.length; t++) {
            double mean = 0, var = 0;
            for (double v : x[t]) mean += v / C;
            for (double v : x[t]) var += (v - mean) * (v - mean) / C;
            for (int c = 0; c < C; c++) {
                out[t][c] = (x[t][c] - mean) / Math.sqrt(var + 1e-5) * g[c] + b[c];
            }
        }
        return out;
    }

    /** GPT-2's Conv1D: x (T, in) · W (in, out) + b. */
    private static double[][] conv1d(double[][] x, float[] weight, float[] bias, int out) {
        int in = x[0].length;
        double[][] y = new double[x.length][out];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < out; o++) {
                double s = bias[o];
                for (int i = 0; i < in; i++) {
                    s += x[t][i] * weight[i * out + o];
                }
                y[t][o] = s;
            }
        }
        return y;
    }

    private static void add(double[][] x, double[][] y) {
        for (int t = 0; t < x.length; t++) {
            for (int c = 0; c < x[t].length; c++) {
                x[t][c] += y[t][c];
            }
        }
    }

    @Test
    void importExportImportIsBitIdentical() throws IOException {
        GptParams nat = randomNative(7, "BF16");
        writeHf(dir.resolve("a"), hfTensors(nat), "BF16", n -> "transformer." + n, c -> c, Map.of());
        HuggingFaceGpt2.Imported first = HuggingFaceGpt2.read(dir.resolve("a"));
        HuggingFaceGpt2.write(dir.resolve("b"), first.params(), first.tokenizer(), Map.of());
        HuggingFaceGpt2.Imported second = HuggingFaceGpt2.read(dir.resolve("b"));
        assertSameParams(first.params(), second.params());
        HuggingFaceGpt2.write(dir.resolve("c"), second.params(), second.tokenizer(), Map.of());
        Checkpoint b = Safetensors.read(dir.resolve("b/model.safetensors")), c = Safetensors.read(dir.resolve("c/model.safetensors"));
        assertEquals(b.tensors(), c.tensors());
        assertEquals("pt", b.metadata().get("format"));
        assertArrayEquals(new long[] {C, 3 * C}, b.tensor("h.1.attn.c_attn.weight").shape());
        // the exported tensors are exactly the HF layout this test writes
        hfTensors(nat).forEach((name, data) -> assertArrayEquals(data, b.floats(name), name));
    }

    @Test
    void untiedHeadIsKept() throws IOException {
        GptParams nat = randomNative(3, "F32");
        Map<String, float[]> hf = hfTensors(nat);
        float[] head = hf.get("wte.weight").clone();
        head[5] += 1f;
        hf.put("lm_head.weight", head);
        writeHf(dir.resolve("u"), hf, "F32", n -> n, c -> c.put("tie_word_embeddings", false), Map.of());
        GptParams imported = HuggingFaceGpt2.read(dir.resolve("u")).params();
        assertNotNull(imported.head());
        assertEquals(head[5], imported.head().params().data()[imported.head().offset("weight") + 5]);
        HuggingFaceGpt2.write(dir.resolve("u2"), imported, Gpt2Tokenizer.INSTANCE, Map.of());
        assertSameParams(imported, HuggingFaceGpt2.read(dir.resolve("u2")).params());
    }

    @Test
    void badInputIsAOneLineErrorNamingTheKeyOrTensor() throws IOException {
        GptParams nat = randomNative(1, "F32");
        Map<String, float[]> hf = hfTensors(nat);
        writeHf(dir.resolve("llama"), hf, "F32", n -> n, c -> c.put("model_type", "llama"), Map.of());
        assertError("model_type: 'llama'; only GPT-2 (model_type gpt2) can be imported", dir.resolve("llama"));
        writeHf(dir.resolve("act"), hf, "F32", n -> n, c -> c.put("activation_function", "relu"), Map.of());
        assertError("activation_function: 'relu' is not supported", dir.resolve("act"));

        Map<String, float[]> missing = new LinkedHashMap<>(hf);
        missing.remove("h.1.mlp.c_fc.bias");
        writeHf(dir.resolve("missing"), missing, "F32", n -> n, c -> c, Map.of());
        assertError("no tensor 'h.1.mlp.c_fc.bias'", dir.resolve("missing"));

        writeHf(dir.resolve("shape"), hf, "F32", n -> n, c -> c.put("n_embd", 32), Map.of());
        assertError("tensor 'wte.weight' has shape [50257, 16], expected [50257, 32]", dir.resolve("shape"));

        writeHf(dir.resolve("int"), hf, "F32", n -> n, c -> c, Map.of("h.0.ln_2.weight", "I32"));
        assertError("tensor 'h.0.ln_2.weight' is I32; expected a float type (F32, F16 or BF16)", dir.resolve("int"));

        Map<String, float[]> extra = new LinkedHashMap<>(hf);
        extra.put("h.2.ln_1.weight", new float[C]);
        writeHf(dir.resolve("extra"), extra, "F32", n -> n, c -> c, Map.of());
        assertError("unexpected tensor 'h.2.ln_1.weight' (not part of a GPT-2 with 2 layers)", dir.resolve("extra"));

        assertError("no config.json", Files.createDirectories(dir.resolve("empty")));
    }

    private static void assertError(String expected, Path modelDir) {
        var e = assertThrows(CheckpointException.class, () -> HuggingFaceGpt2.read(modelDir));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }
}
