package modej.tasks.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import modej.model.checkpoint.GptCheckpoint;
import modej.model.checkpoint.HuggingFaceGpt2;
import modej.model.gpt.GptConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./modej import}: a pretrained model from another tool's layout to a backbone checkpoint. */
@Command(name = "import", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Import a pretrained GPT-2 in Hugging Face layout as a backbone checkpoint.",
                "DIR holds config.json (model_type gpt2) and model.safetensors (F32, F16 or BF16), as",
                "save_pretrained writes them, e.g. a download of GPT-2 124M. The tokenizer is GPT-2's BPE."})
final class ImportCommand implements Callable<Integer> {

    @Option(names = "--huggingface", required = true, paramLabel = "DIR", description = "Hugging Face GPT-2 model directory.")
    Path dir;
    @Option(names = "--out", defaultValue = "runs/gpt2/backbone.safetensors",
            description = "Backbone checkpoint to write (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws Exception {
        HuggingFaceGpt2.Imported imported = HuggingFaceGpt2.read(dir);
        GptConfig c = imported.params().config();
        Map<String, String> meta = new LinkedHashMap<>(imported.metadata());
        meta.put("modej.java", Runtime.version().toString());
        if (out.toAbsolutePath().getParent() != null) {
            java.nio.file.Files.createDirectories(out.toAbsolutePath().getParent());
        }
        GptCheckpoint.save(out, imported.params(), meta, false);
        System.out.printf("imported %s: %d layers, width %d, %d heads, context %d, vocabulary %,d (%s tokenizer), "
                + "%s head, %,d parameters; %s%nsaved %s%n", dir, c.layers(), c.width(), c.heads(), c.context(), c.vocab(),
                imported.tokenizer().name(), c.tiedHead() ? "tied" : "untied", c.parameterCount(), c.memoryEstimate(), out);
        return 0;
    }
}
