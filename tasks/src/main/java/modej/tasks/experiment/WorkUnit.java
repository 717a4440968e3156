package modej.tasks.experiment;

import java.util.List;

/**
 * One unit of an experiment's work that one process (a job-array task) can do on its own: the
 * backbone's pretraining, or one (method, seed) run. A MoDE run's stage 1 (one expert per domain)
 * and stage 2 are one unit: stage 2 needs that run's own experts, and nothing else reads them.
 *
 * @param index  stable position in {@link WorkUnits#of}: the same for the same experiment file
 * @param label  {@code backbone}, or the run's folder name {@code <method>-seed<k>} ({@code <set>.<method>@<domain>-seed<k>}
 *               for a per-domain model of a rotated set)
 * @param method the run's method; null for the backbone
 * @param seed   the run's seed; 0 for the backbone
 * @param needs  indices of the units that must be finished first
 * @param what   what the unit does, for {@code --list}
 * @param variant which model the run trains (its row, trained set and config); null for the backbone
 */
public record WorkUnit(int index, String label, MethodSpec method, long seed, List<Integer> needs, String what,
                       RunVariant variant) {

    public WorkUnit {
        needs = List.copyOf(needs);
    }

    /** A unit with the plain variant of its method (none for the backbone). */
    public WorkUnit(int index, String label, MethodSpec method, long seed, List<Integer> needs, String what) {
        this(index, label, method, seed, needs, what, method == null ? null : RunVariant.plain(method));
    }

    /** Whether this unit pretrains the backbone (otherwise it is a run). */
    public boolean isBackbone() {
        return method == null;
    }
}
