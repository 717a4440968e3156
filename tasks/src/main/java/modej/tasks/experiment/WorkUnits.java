package modej.tasks.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

import modej.tasks.train.OutputLock;

/**
 * The units of work of an experiment, in dependency order, with indices that depend only on the
 * experiment file: unit 0 pretrains the backbone when the file asks for pretraining (a given
 * checkpoint needs no unit), then one unit per run, seeds outer and methods inner, as a sequential
 * run trains them. Also reads the selections {@code --only 0,3,5} and {@code --shard I/N}.
 */
public final class WorkUnits {

    private WorkUnits() {
    }

    /** Every unit of {@code config}. */
    public static List<WorkUnit> of(ExperimentConfig config) {
        List<WorkUnit> units = new ArrayList<>();
        List<Integer> backbone = List.of();
        PretrainSpec p = config.backbone().pretrain();
        if (p != null) {
            units.add(new WorkUnit(0, "backbone", null, 0, List.of(), String.format(Locale.ROOT,
                    "pretrain the backbone: %d layers, width %d, %d steps on %s", p.layers(), p.width(), p.steps(), p.corpus())));
            backbone = List.of(0);
        }
        List<RunVariant.Planned> plan = RunVariant.of(config);
        for (long seed : config.seeds()) {
            for (RunVariant.Planned run : plan) {
                units.add(new WorkUnit(units.size(), RunResult.label(run.variant().display(), seed), run.method(), seed, backbone,
                        describe(run.method(), run.variant(), seed), run.variant()));
            }
        }
        return List.copyOf(units);
    }

    private static String describe(MethodSpec m, RunVariant v, long seed) {
        List<String> experts = m.experts();
        String what = switch (m.method()) {
            case "frozen" -> "evaluate the frozen backbone";
            case "mode" -> "train MoDE: stage 1 of its " + experts.size() + (experts.size() == 1 ? " expert " : " experts ") + experts
                    + " and stage 2, in this unit";
            case "btx" -> "train BTX: stage 1 (a copy of the MLPs) for each of " + m.experts()
                    + " and stage 2 (FFN experts and routers), in this unit";
            default -> "train " + m.method();
        };
        if (v.domain() != null) {
            what += " on " + v.domain() + " only";
        } else if (v.trained() != null && !m.method().equals("mode")) {
            what += " on " + v.trained();
        }
        if (m.retentionMix() > 0) {
            what += String.format(Locale.ROOT, " (with the retention domain mixed in at weight %s)", m.retentionWeight());
        }
        return what + ", seed " + seed;
    }

    /**
     * What a unit's state is in {@code out}, by its files: {@code finished}; {@code running} (a process
     * holds its lock: host and pid follow); {@code stopped} (claimed once and not finished: the
     * next process to claim it continues it); {@code waiting} (an input is not finished); {@code ready}.
     */
    public static String state(WorkUnit u, List<WorkUnit> units, ExperimentConfig config, Path out) throws IOException {
        if (finished(u, config, out)) {
            return "finished";
        }
        Path lock = WorkUnits.lockFile(out, u.label());
        if (OutputLock.held(lock)) {
            return "running (" + OutputLock.holder(lock) + ")";
        }
        if (Files.exists(lock)) {
            return "stopped (last claimed by " + OutputLock.holder(lock) + ")";
        }
        for (int need : u.needs()) {
            if (!finished(units.get(need), config, out)) {
                return "waiting";
            }
        }
        return "ready";
    }

    /** The lock file of {@code unit} in {@code out}: the process holding it does the unit. */
    static Path lockFile(Path out, String unit) {
        return out.resolve("locks").resolve(unit + ".lock");
    }

    static boolean finished(WorkUnit u, ExperimentConfig config, Path out) {
        return u.isBackbone() ? BackboneSource.finished(config.backbone(), out)
                : Files.exists(out.resolve("runs").resolve(u.label()).resolve("result.json"));
    }

    /** The indices {@code --only} names, e.g. {@code 0,3,5} or {@code 2-4}, checked against {@code count} units. */
    public static List<Integer> only(String spec, int count) {
        TreeSet<Integer> picked = new TreeSet<>();
        for (String part : spec.split(",", -1)) {
            String p = part.trim();
            if (!p.matches("\\d+(-\\d+)?")) {
                throw new IllegalArgumentException("--only: expected unit indices like 0,3,5 or 2-4, got '" + spec + "'");
            }
            String[] ends = p.split("-");
            int from = Integer.parseInt(ends[0]), to = Integer.parseInt(ends[ends.length - 1]);
            if (from > to || to >= count) {
                throw new IllegalArgumentException("--only " + spec + ": the experiment has " + count + " units (0-"
                        + (count - 1) + "); see --list");
            }
            for (int i = from; i <= to; i++) {
                picked.add(i);
            }
        }
        return List.copyOf(picked);
    }

    /** The indices of shard {@code I/N} (0 <= I < N): every unit whose index is I modulo N. */
    public static List<Integer> shard(String spec, int count) {
        if (!spec.matches("\\d+/\\d+")) {
            throw new IllegalArgumentException("--shard: expected I/N, e.g. 0/4 for the first of four shards, got '" + spec + "'");
        }
        int i = Integer.parseInt(spec.substring(0, spec.indexOf('/'))), n = Integer.parseInt(spec.substring(spec.indexOf('/') + 1));
        if (n < 1 || i >= n) {
            throw new IllegalArgumentException("--shard " + spec + ": need 0 <= I < N");
        }
        List<Integer> picked = new ArrayList<>();
        for (int u = i; u < count; u += n) {
            picked.add(u);
        }
        return List.copyOf(picked);
    }
}
