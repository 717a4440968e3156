package modej.tasks.experiment;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Where the experiment's backbone comes from: a checkpoint of {@code ./modej pretrain}, or
 * pretraining as part of the experiment (into {@code OUT/backbone/}, resumed if interrupted).
 *
 * @param checkpoint a backbone checkpoint file (relative paths: to the current directory)
 * @param pretrain   how to pretrain one instead
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackboneSpec(String checkpoint, PretrainSpec pretrain) {

    public BackboneSpec {
        if ((checkpoint == null) == (pretrain == null)) {
            throw new IllegalArgumentException(checkpoint == null
                    ? "give either 'checkpoint: FILE' or a 'pretrain:' section"
                    : "give either 'checkpoint' or 'pretrain', not both");
        }
        if (checkpoint != null && checkpoint.isBlank()) {
            throw new IllegalArgumentException("checkpoint: empty file name");
        }
    }
}
