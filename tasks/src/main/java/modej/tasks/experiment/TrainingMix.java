package modej.tasks.experiment;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import modej.tasks.data.Batches;
import modej.tasks.data.DomainData;
import modej.tasks.data.WeightedBatches;

/**
 * The mixed batches a method trains on ({@link WeightedBatches}), with the domain each stream is:
 * the training part of every domain the run's config trains (a source and a weight above 0), at its
 * weight, and, for a method with {@code retentionWeight}, the training part of the retention domain
 * at that weight. Only training parts are ever drawn from: held-out text is never in a batch.
 */
final class TrainingMix implements Batches {

    private final List<String> names;
    private final WeightedBatches batches;

    private TrainingMix(List<String> names, WeightedBatches batches) {
        this.names = List.copyOf(names);
        this.batches = batches;
    }

    /** The mix {@code m} trains on under {@code config} (a run's config: its domain weights say what trains). */
    static TrainingMix of(ExperimentConfig config, DomainData data, MethodSpec m, long seed) {
        List<String> names = new ArrayList<>();
        List<int[]> streams = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        config.domains().forEach((d, spec) -> {
            if (spec.trains()) {
                names.add(d);
                streams.add(data.get(d).train());
                weights.add(spec.weight());
            }
        });
        if (m.retentionMix() > 0) {
            String english = config.englishDomain();
            names.add(english);
            streams.add(data.get(english).train());
            weights.add(m.retentionMix());
        }
        return new TrainingMix(names, new WeightedBatches(streams, weights.stream().mapToDouble(Double::doubleValue).toArray(),
                config.budget().batch(), config.budget().seq(), seed));
    }

    /** The domains drawn from, in stream order. */
    List<String> domains() {
        return names;
    }

    /** Rows drawn so far from each domain (after a {@link #seek}, as if drawn from the start). */
    Map<String, Long> rowsPerDomain() {
        long[] rows = batches.rowsPerDomain();
        Map<String, Long> out = new LinkedHashMap<>();
        for (int d = 0; d < rows.length; d++) {
            out.put(names.get(d), rows[d]);
        }
        return Collections.unmodifiableMap(out);
    }

    @Override
    public void next(int[] inputs, int[] targets) {
        batches.next(inputs, targets);
    }

    @Override
    public void seek(long position) {
        batches.seek(position);
    }
}
