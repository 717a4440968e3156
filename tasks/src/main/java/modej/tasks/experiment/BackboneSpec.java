package modej.tasks.experiment;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Where the experiment's backbone comes from: a checkpoint of {@code ./modej pretrain}, a Hugging
 * Face GPT-2 directory (imported into {@code OUT/backbone/}), or pretraining as part of the
 * experiment (into {@code OUT/backbone/}, resumed if interrupted). Exactly one is given.
 *
 * @param checkpoint  a backbone checkpoint file (relative paths: to the current directory)
 * @param pretrain    how to pretrain one instead
 * @param huggingface a Hugging Face GPT-2 directory (config.json + model.safetensors) to import
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackboneSpec(String checkpoint, PretrainSpec pretrain, String huggingface) {

    /** A checkpoint or a pretraining section (no import). */
    public BackboneSpec(String checkpoint, PretrainSpec pretrain) {
        this(checkpoint, pretrain, null);
    }

    public BackboneSpec {
        int given = (checkpoint == null ? 0 : 1) + (pretrain == null ? 0 : 1) + (huggingface == null ? 0 : 1);
        if (given != 1) {
            throw new IllegalArgumentException(given == 0
                    ? "give either 'checkpoint: FILE', 'huggingface: DIR' or a 'pretrain:' section"
                    : huggingface == null ? "give either 'checkpoint' or 'pretrain', not both"
                    : "give only one of 'checkpoint', 'huggingface' and 'pretrain'");
        }
        if (huggingface != null && huggingface.isBlank()) {
            throw new IllegalArgumentException("huggingface: empty directory name");
        }
        if (checkpoint != null && checkpoint.isBlank()) {
            throw new IllegalArgumentException("checkpoint: empty file name");
        }
    }
}
