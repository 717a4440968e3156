package modej.model.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import modej.model.gpt.GptConfig;
import modej.model.gpt.GptParams;
import modej.model.param.Slab;
import modej.model.tokenizer.Gpt2Tokenizer;
import modej.model.tokenizer.Tokenizer;
import modej.model.tokenizer.Tokenizers;

/**
 * GPT-2 in the layout of Hugging Face {@code transformers}: a directory with {@code config.json}
 * ({@code model_type: gpt2}) and {@code model.safetensors}, read into a backbone and written back.
 *
 * <p>The native model is GPT-2 itself (pre-LayerNorm blocks, LayerNorm eps 1e-5, GELU tanh
 * approximation = {@code gelu_new}, learned positions, biases everywhere, tied head), so the
 * mapping is a renaming plus one transpose per matrix: GPT-2's {@code Conv1D} stores its weight as
 * (in, out), the native {@code Matmul} as (out, in). {@code c_attn} (C, 3C) holds q, k and v side
 * by side in its output columns, which is exactly the native {@code qkv} (3C, C) after the
 * transpose (q rows 0..C-1, then k, then v). Names may carry a {@code transformer.} prefix; the
 * attention-mask buffers {@code h.N.attn.bias} / {@code masked_bias} are ignored; an
 * {@code lm_head.weight} equal to {@code wte} is the tied head, a different one an untied head.
 * F16 and BF16 tensors are widened to F32 exactly.
 */
public final class HuggingFaceGpt2 {

    /** Metadata key of the directory a backbone was imported from. */
    public static final String SOURCE_KEY = "modej.import.huggingface";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WEIGHTS = "model.safetensors";

    /** The native slice and the GPT-2 tensor it comes from, and whether it is a Conv1D weight (transposed). */
    private record Pair(String gpt2, String nativeSlice, boolean transposed) {
    }

    /** One layer's tensors: GPT-2 name after {@code h.N.}, native slice, transposed. */
    private static final List<Pair> LAYER = List.of(
            new Pair("ln_1.weight", "ln1.weight", false), new Pair("ln_1.bias", "ln1.bias", false),
            new Pair("attn.c_attn.weight", "qkv.weight", true), new Pair("attn.c_attn.bias", "qkv.bias", false),
            new Pair("attn.c_proj.weight", "attn_proj.weight", true), new Pair("attn.c_proj.bias", "attn_proj.bias", false),
            new Pair("ln_2.weight", "ln2.weight", false), new Pair("ln_2.bias", "ln2.bias", false),
            new Pair("mlp.c_fc.weight", "fc.weight", true), new Pair("mlp.c_fc.bias", "fc.bias", false),
            new Pair("mlp.c_proj.weight", "fc_proj.weight", true), new Pair("mlp.c_proj.bias", "fc_proj.bias", false));

    /** An imported backbone and the metadata to save with it (tokenizer, source). */
    public record Imported(GptParams params, Tokenizer tokenizer, Map<String, String> metadata) {
    }

    private HuggingFaceGpt2() {
    }

    /**
     * Reads {@code dir/config.json} and {@code dir/model.safetensors}. Every problem is one line
     * naming the file and the key or tensor ({@link CheckpointException}).
     */
    public static Imported read(Path dir) {
        Path configFile = dir.resolve("config.json"), weights = dir.resolve(WEIGHTS);
        if (!Files.isDirectory(dir)) {
            throw new CheckpointException(dir, "not a directory (expected a Hugging Face model directory with config.json and "
                    + WEIGHTS + ")");
        }
        if (!Files.isRegularFile(configFile)) {
            throw new CheckpointException(dir, "no config.json");
        }
        if (!Files.isRegularFile(weights)) {
            String why = Files.exists(dir.resolve("model.safetensors.index.json")) ? "sharded checkpoints are not supported"
                    : Files.exists(dir.resolve("pytorch_model.bin")) ? "only pytorch_model.bin, which is not read: save the model "
                    + "with safe_serialization=True" : "no " + WEIGHTS;
            throw new CheckpointException(dir, why);
        }
        JsonNode config;
        try {
            config = JSON.readTree(configFile.toFile());
        } catch (IOException e) {
            throw new CheckpointException(configFile, "not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        Checkpoint ckpt = Safetensors.read(weights);
        Tokenizer tokenizer = tokenizer(configFile, config);
        GptParams params = fromTensors(configFile, config, ckpt);
        try {
            Tokenizers.checkVocab(tokenizer, params.config().vocab());
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(configFile, "vocab_size: " + e.getMessage());
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(Tokenizers.METADATA_KEY, tokenizer.name());
        meta.put(SOURCE_KEY, dir.toAbsolutePath().normalize().toString());
        return new Imported(params, tokenizer, meta);
    }

    /** The backbone config {@code config.json} describes; unsupported settings are errors naming the key. */
    public static GptConfig config(Path file, JsonNode c) {
        String type = text(c, "model_type", null);
        if (!"gpt2".equals(type)) {
            throw new CheckpointException(file, "model_type: " + (type == null ? "missing" : "'" + type + "'")
                    + "; only GPT-2 (model_type gpt2) can be imported");
        }
        String act = text(c, "activation_function", "gelu_new");
        if (!act.equals("gelu_new") && !act.equals("gelu_pytorch_tanh")) {
            throw new CheckpointException(file, "activation_function: '" + act + "' is not supported (GELU's tanh "
                    + "approximation, gelu_new, is)");
        }
        double eps = c.path("layer_norm_epsilon").asDouble(1e-5);
        if (eps != 1e-5) {
            throw new CheckpointException(file, "layer_norm_epsilon: " + eps + " is not supported (1e-5 is)");
        }
        if (c.path("scale_attn_by_inverse_layer_idx").asBoolean(false)) {
            throw new CheckpointException(file, "scale_attn_by_inverse_layer_idx: true is not supported");
        }
        if (!c.path("scale_attn_weights").asBoolean(true)) {
            throw new CheckpointException(file, "scale_attn_weights: false is not supported");
        }
        int width = integer(file, c, "n_embd");
        JsonNode inner = c.get("n_inner");
        if (inner != null && !inner.isNull() && inner.asInt() != 4 * width) {
            throw new CheckpointException(file, "n_inner: " + inner + " is not supported (4 × n_embd = " + 4 * width + " is)");
        }
        int context = c.has("n_positions") ? integer(file, c, "n_positions") : integer(file, c, "n_ctx");
        try {
            return new GptConfig(integer(file, c, "vocab_size"), context, integer(file, c, "n_layer"),
                    integer(file, c, "n_head"), width, c.path("tie_word_embeddings").asBoolean(true));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, e.getMessage());
        }
    }

    /** The backbone the tensors of {@code ckpt} hold, shaped as {@code config} says. */
    static GptParams fromTensors(Path configFile, JsonNode config, Checkpoint ckpt) {
        GptConfig c = config(configFile, config);
        String prefix = ckpt.tensors().containsKey("transformer.wte.weight") ? "transformer." : "";
        Set<String> used = new HashSet<>();
        GptParams p = new GptParams(c.tiedHead() ? c : new GptConfig(c.vocab(), c.context(), c.layers(), c.heads(),
                c.width(), true));
        int C = c.width();
        copy(ckpt, prefix + "wte.weight", p.embeddings(), "wte", false, used, c.vocab(), C);
        copy(ckpt, prefix + "wpe.weight", p.embeddings(), "wpe", false, used, c.context(), C);
        for (int l = 0; l < c.layers(); l++) {
            for (Pair pair : LAYER) {
                Slab s = p.layer(l);
                int[] shape = s.layout().get(pair.nativeSlice()).shape();
                long[] gpt2Shape = pair.transposed() ? new long[] {shape[1], shape[0]} : new long[] {shape[0]};
                copy(ckpt, prefix + "h." + l + "." + pair.gpt2(), s, pair.nativeSlice(), pair.transposed(), used, gpt2Shape);
            }
        }
        copy(ckpt, prefix + "ln_f.weight", p.finalNorm(), "lnf.weight", false, used, C);
        copy(ckpt, prefix + "ln_f.bias", p.finalNorm(), "lnf.bias", false, used, C);
        float[] wte = floats(ckpt, prefix + "wte.weight");
        String head = ckpt.tensors().containsKey("lm_head.weight") ? "lm_head.weight" : null;
        boolean tied = head == null || java.util.Arrays.equals(floats(ckpt, head), wte);
        if (head != null) {
            used.add(head);
            ckpt.expectShape(head, c.vocab(), C);
        }
        if (!tied) {
            GptParams untied = new GptParams(new GptConfig(c.vocab(), c.context(), c.layers(), c.heads(), C, false));
            for (int i = 0; i < p.slabs().size(); i++) {
                float[] from = p.slabs().get(i).params().data();
                System.arraycopy(from, 0, untied.slabs().get(i).params().data(), 0, from.length);
            }
            System.arraycopy(floats(ckpt, head), 0, untied.head().params().data(), untied.head().offset("weight"), c.vocab() * C);
            p = untied;
        } else if (!c.tiedHead() && head == null) {
            throw new CheckpointException(ckpt.file(), "tie_word_embeddings is false but there is no lm_head.weight");
        }
        for (String name : ckpt.tensors().keySet()) {
            String bare = name.startsWith(prefix) ? name.substring(prefix.length()) : name;
            if (!used.contains(name) && !bare.matches("h\\.\\d+\\.attn\\.(bias|masked_bias)")) {
                throw new CheckpointException(ckpt.file(), "unexpected tensor '" + name + "' (not part of a GPT-2 with "
                        + c.layers() + " layers)");
            }
        }
        return p;
    }

    /**
     * Writes {@code params} to {@code dir} ({@code config.json}, {@code model.safetensors}, F32, names
     * without prefix, as {@code GPT2LMHeadModel.save_pretrained} does), replacing those two files.
     */
    public static void write(Path dir, GptParams params, Tokenizer tokenizer, Map<String, String> metadata) {
        GptConfig c = params.config();
        try {
            Files.createDirectories(dir);
            ObjectNode cfg = JSON.createObjectNode();
            cfg.putArray("architectures").add("GPT2LMHeadModel");
            cfg.put("model_type", "gpt2");
            cfg.put("vocab_size", c.vocab());
            cfg.put("n_positions", c.context());
            cfg.put("n_ctx", c.context());
            cfg.put("n_embd", c.width());
            cfg.put("n_layer", c.layers());
            cfg.put("n_head", c.heads());
            cfg.putNull("n_inner");
            cfg.put("activation_function", "gelu_new");
            cfg.put("layer_norm_epsilon", 1e-5);
            cfg.put("tie_word_embeddings", c.tiedHead());
            cfg.put("torch_dtype", "float32");
            if (tokenizer instanceof Gpt2Tokenizer) {
                cfg.put("bos_token_id", Gpt2Tokenizer.END_OF_TEXT);
                cfg.put("eos_token_id", Gpt2Tokenizer.END_OF_TEXT);
            }
            cfg.put("modej_tokenizer", tokenizer.name());
            Path tmp = dir.resolve(".config.json.tmp");
            JSON.writer(SerializationFeature.INDENT_OUTPUT).writeValue(tmp.toFile(), cfg);
            Files.move(tmp, dir.resolve("config.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CheckpointException(dir, "cannot write config.json: " + e);
        }
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.put("format", "pt"); // transformers refuses a safetensors file without it
        Safetensors.write(dir.resolve(WEIGHTS), tensors(params), meta);
    }

    /** The tensors of {@code params} under GPT-2's names, Conv1D weights as (in, out). */
    public static List<TensorData> tensors(GptParams params) {
        GptConfig c = params.config();
        int C = c.width();
        List<TensorData> out = new ArrayList<>();
        out.add(slice(params.embeddings(), "wte", "wte.weight", false, c.vocab(), C));
        out.add(slice(params.embeddings(), "wpe", "wpe.weight", false, c.context(), C));
        for (int l = 0; l < c.layers(); l++) {
            Slab s = params.layer(l);
            for (Pair pair : LAYER) {
                int[] shape = s.layout().get(pair.nativeSlice()).shape();
                long[] gpt2Shape = pair.transposed() ? new long[] {shape[1], shape[0]} : new long[] {shape[0]};
                out.add(slice(s, pair.nativeSlice(), "h." + l + "." + pair.gpt2(), pair.transposed(), gpt2Shape));
            }
        }
        out.add(slice(params.finalNorm(), "lnf.weight", "ln_f.weight", false, C));
        out.add(slice(params.finalNorm(), "lnf.bias", "ln_f.bias", false, C));
        if (params.head() != null) {
            out.add(slice(params.head(), "weight", "lm_head.weight", false, c.vocab(), C));
        }
        return out;
    }

    private static Tokenizer tokenizer(Path file, JsonNode c) {
        String name = text(c, "modej_tokenizer", Gpt2Tokenizer.NAME);
        try {
            return Tokenizers.byName(name);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, "modej_tokenizer: " + e.getMessage());
        }
    }

    private static TensorData slice(Slab slab, String slice, String name, boolean transposed, long... shape) {
        float[] p = slab.params().data();
        int off = slab.offset(slice), n = slab.layout().get(slice).size();
        float[] data = new float[n];
        if (transposed) {
            int rows = (int) shape[0], cols = (int) shape[1]; // GPT-2 (in, out) from native (out, in)
            for (int i = 0; i < rows; i++) {
                for (int o = 0; o < cols; o++) {
                    data[i * cols + o] = p[off + o * rows + i];
                }
            }
        } else {
            System.arraycopy(p, off, data, 0, n);
        }
        return new TensorData.F32(name, data, shape);
    }

    /** Copies GPT-2 tensor {@code name} of {@code shape} into a native slice, transposing (in, out) to (out, in). */
    private static void copy(Checkpoint ckpt, String name, Slab slab, String slice, boolean transposed, Set<String> used,
                             long... shape) {
        ckpt.expectShape(name, shape);
        float[] src = floats(ckpt, name);
        float[] p = slab.params().data();
        int off = slab.offset(slice);
        if (transposed) {
            int in = (int) shape[0], out = (int) shape[1];
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    p[off + o * in + i] = src[i * out + o];
                }
            }
        } else {
            System.arraycopy(src, 0, p, off, src.length);
        }
        used.add(name);
    }

    private static float[] floats(Checkpoint ckpt, String name) {
        TensorData t = ckpt.tensor(name);
        if (!(t instanceof TensorData.F32 f)) {
            throw new CheckpointException(ckpt.file(), "tensor '" + name + "' is " + t.dtype()
                    + "; expected a float type (F32, F16 or BF16)");
        }
        return f.data();
    }

    private static String text(JsonNode c, String key, String otherwise) {
        JsonNode v = c.get(key);
        return v == null || v.isNull() ? otherwise : v.asText();
    }

    private static int integer(Path file, JsonNode c, String key) {
        JsonNode v = c.get(key);
        if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new CheckpointException(file, key + ": " + (v == null ? "missing" : "'" + v + "' is not a whole number"));
        }
        return v.intValue();
    }
}
