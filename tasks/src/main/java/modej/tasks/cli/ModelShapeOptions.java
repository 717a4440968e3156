package modej.tasks.cli;

import modej.model.gpt.GptConfig;
import picocli.CommandLine.Option;

/**
 * The shape of a new model: a preset, each of whose sizes an option may override, and the
 * tokenizer, which sets the vocabulary. ({@code bench} declares a whole shape instead, with the
 * flags and defaults of torch_gpt.py, and {@code --width} under the same name.)
 */
final class ModelShapeOptions {

    @Option(names = "--preset", defaultValue = "tiny", description = "Model size: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
            completionCandidates = Presets.class)
    String preset;
    @Option(names = "--tokenizer", paramLabel = "NAME", description = "bytes (256 ids) or gpt2 (GPT-2's BPE, "
            + "r50k_base, 50,257 ids); sets the vocabulary (default: gpt2 for the gpt2* presets, else bytes; "
            + "with --resume the checkpoint's).")
    String tokenizer;
    @Option(names = "--layers", description = "Override the preset's layers.")
    Integer layers;
    @Option(names = "--width", description = "Override the preset's width.")
    Integer width;
    @Option(names = "--heads", description = "Override the preset's heads.")
    Integer heads;
    @Option(names = "--context", description = "Override the preset's context length.")
    Integer context;

    /** Preset names for --help. */
    static final class Presets implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return GptConfig.PRESETS.keySet().stream().sorted().iterator();
        }
    }

    /** The preset the options name (an unknown one is an error). */
    GptConfig preset() {
        return GptConfig.preset(preset);
    }

    /** The preset {@code base} with the sizes the options override, for a vocabulary of {@code vocab} ids. */
    GptConfig config(GptConfig base, int vocab) {
        return new GptConfig(vocab, context != null ? context : base.context(), layers != null ? layers : base.layers(),
                heads != null ? heads : base.heads(), width != null ? width : base.width(), base.tiedHead());
    }
}
