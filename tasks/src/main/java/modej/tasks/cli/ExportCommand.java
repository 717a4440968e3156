package modej.tasks.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import modej.model.lora.LoraModel;
import modej.model.checkpoint.Checkpoint;
import modej.model.checkpoint.GptCheckpoint;
import modej.model.checkpoint.HuggingFaceGpt2;
import modej.model.checkpoint.ModeCheckpoint;
import modej.model.checkpoint.Safetensors;
import modej.model.gpt.GptParams;
import modej.model.tokenizer.Tokenizer;
import modej.model.tokenizer.Tokenizers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./modej export}: a backbone, a fully fine-tuned model or a merged LoRA model to Hugging Face layout. */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a model as a Hugging Face GPT-2 directory.",
                "config.json + model.safetensors (F32), which transformers' GPT2LMHeadModel.from_pretrained reads. CHECKPOINT is a backbone (pretrain,",
                "import) or full fine-tuning's output; a LoRA checkpoint is merged into --backbone first",
                "(W + alpha/r·B·A). MoDE models have experts and gates GPT-2 has no place for: not exportable."})
final class ExportCommand implements Callable<Integer> {

    @Option(names = "--checkpoint", required = true, paramLabel = "FILE", description = "Backbone, full or LoRA checkpoint.")
    Path checkpoint;
    @Option(names = "--backbone", paramLabel = "FILE", description = "The backbone a LoRA checkpoint was trained on.")
    Path backbone;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write (created; its "
            + "config.json and model.safetensors are replaced).")
    Path out;

    @Override
    public Integer call() {
        if (!Files.isRegularFile(checkpoint)) {
            throw new UserError("--checkpoint: no such file " + checkpoint);
        }
        Checkpoint ckpt = Safetensors.read(checkpoint);
        Map<String, String> meta = ckpt.metadata();
        GptParams params;
        Tokenizer tokenizer;
        String what;
        if (meta.containsKey("modej.lora.rank")) {
            if (backbone == null || !Files.isRegularFile(backbone)) {
                throw new UserError("--backbone: a LoRA checkpoint is merged into its backbone; give the backbone file"
                        + (backbone == null ? "" : " (no such file " + backbone + ")"));
            }
            GptCheckpoint.Loaded base = GptCheckpoint.load(backbone, false);
            LoraModel lora = LoraModel.load(checkpoint, base.params());
            params = lora.lora().mergedInto(base.params());
            tokenizer = base.tokenizer();
            what = "LoRA rank " + lora.lora().rank() + " merged into " + backbone;
        } else if (meta.containsKey(GptCheckpoint.CONFIG_KEY) && !meta.containsKey(ModeCheckpoint.MODE_KEY)
                && ckpt.tensors().containsKey("embeddings.wte")) {
            GptCheckpoint.Loaded loaded = GptCheckpoint.load(checkpoint, false);
            params = loaded.params();
            tokenizer = loaded.tokenizer();
            what = meta.getOrDefault("modej.method", "backbone");
        } else {
            throw new UserError("--checkpoint " + checkpoint + ": not a backbone, full fine-tuning or LoRA checkpoint "
                    + "(a MoDE model's experts and gates, and a MoE-LoRA model's routed experts, have no place in GPT-2's layout)");
        }
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("modej.export.from", checkpoint.toString());
        provenance.put(Tokenizers.METADATA_KEY, tokenizer.name());
        HuggingFaceGpt2.write(out, params, tokenizer, provenance);
        System.out.printf("exported %s (%s, %,d parameters, %s tokenizer) to %s%n", checkpoint, what,
                params.config().parameterCount(), tokenizer.name(), out);
        return 0;
    }
}
