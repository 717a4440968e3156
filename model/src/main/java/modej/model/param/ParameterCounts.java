package modej.model.param;

import java.util.List;

/**
 * What a method costs in parameters.
 *
 * @param total          every parameter the model holds (a tied head counted once)
 * @param trainable      the ones the method updates
 * @param activePerToken the ones a token's forward pass uses
 */
public record ParameterCounts(long total, long trainable, long activePerToken) {

    /** Sums slab sizes; trainable = slabs with gradients. */
    public static ParameterCounts of(List<Slab> slabs, long activePerToken) {
        long total = 0, trainable = 0;
        for (Slab s : slabs) {
            total += s.size();
            if (s.trainable()) {
                trainable += s.size();
            }
        }
        return new ParameterCounts(total, trainable, activePerToken);
    }
}
