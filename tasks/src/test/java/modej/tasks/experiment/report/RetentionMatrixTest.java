package modej.tasks.experiment.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import modej.tasks.eval.EvalReport;
import modej.tasks.experiment.ExperimentConfig;
import modej.tasks.experiment.ExperimentFile;
import modej.tasks.experiment.RunResult;
import modej.tasks.experiment.RunVariant;

/**
 * The retention matrix from hand-made results: which cells it has (the domains a model drew no row
 * from), their values and changes against the frozen backbone (paired by seed), the fallback to the
 * config for results without row counts, and the warning without a frozen method.
 */
class RetentionMatrixTest {

    private static final String YAML = """
            name: m
            backbone: {checkpoint: b.safetensors}
            domains: {code: code, math: math, english: english}
            rotate: [[code], [math]]
            methods:
              - {name: frozen, method: frozen}
              - {name: full, method: full}
              - {name: mix, method: full, retentionWeight: 0.5}
            seeds: [0, 1]
            """;

    /** A run whose accuracy on domain d is base + the domain's index / 10 + seed / 100 (loss: 3 − that). */
    private static RunResult run(String row, List<String> trained, long seed, double base, Map<String, Long> rows) {
        Map<String, EvalReport.Metrics> metrics = new LinkedHashMap<>();
        List<String> domains = List.of("code", "math", "english");
        for (int i = 0; i < domains.size(); i++) {
            double acc = base + i / 10.0 + seed / 100.0;
            metrics.put(domains.get(i), new EvalReport.Metrics(3 - acc, acc, 1, 1, 100, 0.01, 0.002, 4, 8));
        }
        return new RunResult(row, row.equals("frozen") ? "frozen" : "full", seed, "f", metrics, null,
                new EvalReport.Costs(1, 1, 1, 1, null, null, null, null, null, 0), Map.of(), List.of(), List.of(), null,
                0, "now", trained, rows);
    }

    private static List<RunResult> results(ExperimentConfig c, boolean counted) {
        List<RunResult> out = new ArrayList<>();
        for (long seed : c.seeds()) {
            for (RunVariant.Planned p : RunVariant.of(c)) {
                RunVariant v = p.variant();
                Map<String, Long> rows = new LinkedHashMap<>();
                if (v.trained() != null) {
                    v.trained().forEach(d -> rows.put(d, 30L));
                }
                if (p.method().retentionMix() > 0) {
                    rows.put("english", 10L);
                }
                double base = v.row().equals("frozen") ? 0.2 : v.row().equals("full") ? 0.25 : 0.3;
                out.add(run(v.row(), v.trained(), seed, base, counted ? rows : null));
            }
        }
        return out;
    }

    @Test
    void cellsAreTheHeldOutDomainsOfEachModelWithChangesAgainstFrozen() {
        ExperimentConfig c = ExperimentFile.read(YAML, false, "m.yaml", List.of());
        for (boolean counted : List.of(true, false)) {
            RetentionMatrix m = RetentionMatrix.of(c, results(c, counted));
            assertEquals("frozen", m.frozen());
            assertEquals(List.of("code.full", "code.mix", "math.full", "math.mix"),
                    m.rows().stream().map(RetentionMatrix.Row::row).toList());
            RetentionMatrix.Row codeFull = m.rows().get(0), codeMix = m.rows().get(1), mathFull = m.rows().get(2);
            assertEquals(List.of("code"), codeFull.trainedOn());
            assertEquals(List.of("math", "english"), List.copyOf(codeFull.heldOut().keySet()));
            assertEquals(List.of("code", "english"), codeMix.trainedOn(), "counted: " + counted);
            assertEquals(List.of("math", "english"), List.copyOf(codeMix.heldOut().keySet()),
                    "english's evaluated part is never trained on: shown, marked as mixed in");
            assertEquals(List.of("code", "english"), List.copyOf(mathFull.heldOut().keySet()));
            RetentionMatrix.Cell english = codeFull.heldOut().get("english");
            assertEquals(0.25 + 0.2 + 0.005, english.accuracy().mean(), 1e-12); // seeds 0 and 1
            assertEquals(3 - 0.455, english.loss().mean(), 1e-12);
            assertEquals(0.05, english.accuracyChange().mean(), 1e-12);
            assertEquals(0.0, english.accuracyChange().sd(), 1e-12);
            assertEquals(-0.05, english.lossChange().mean(), 1e-12);
            assertEquals(0.002, english.accuracyStdErr(), 1e-12);
            assertEquals(2, english.pairs());
            assertEquals(0.1, codeMix.heldOut().get("math").accuracyChange().mean(), 1e-12);
            assertEquals(0.2 + 0.1 + 0.005, m.frozenAccuracy().get("math").mean(), 1e-12);
        }
        String md = RetentionMatrix.of(c, results(c, true)).markdown(List.of("code", "math", "english"));
        assertTrue(md.contains("| code.full | code | — | 0.3550 ± 0.0635 [se 0.0020] (Δ +0.0500 ± 0.0000) | "), md);
        assertTrue(md.contains("| code.mix | code, english | — | "), md);
        assertTrue(md.contains("(Δ +0.1000 ± 0.0000) ‡ |\n"), md);
        assertTrue(md.indexOf("| code.full |") < md.indexOf("| math.full |")
                && md.indexOf("| math.full |") < md.indexOf("| code.mix |"), "rows grouped by method: " + md);
    }

    @Test
    void withoutAFrozenMethodThereIsNoChangeAndTheReportSaysWhy() {
        ExperimentConfig c = ExperimentFile.read(YAML.replace("  - {name: frozen, method: frozen}\n", ""), false, "m.yaml",
                List.of());
        RetentionMatrix m = RetentionMatrix.of(c, results(c, true));
        assertNull(m.frozen());
        assertNull(m.rows().get(0).heldOut().get("english").accuracyChange());
        String md = m.markdown(List.of("code", "math", "english"));
        assertTrue(md.contains("no frozen method"), md);
        assertTrue(md.contains("| code.full | code | — | 0.3550 ± 0.0635 [se 0.0020] | "), md);
    }

    @Test
    void onlyExperimentsWithVariantsGetTheMatrix() {
        assertTrue(RetentionMatrix.applies(ExperimentFile.read(YAML, false, "m.yaml", List.of())));
        assertTrue(!RetentionMatrix.applies(ExperimentFile.read(YAML.replace("rotate: [[code], [math]]\n", "")
                .replace(", retentionWeight: 0.5", ""), false, "m.yaml", List.of())));
    }
}
