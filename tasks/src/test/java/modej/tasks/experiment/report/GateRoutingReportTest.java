package modej.tasks.experiment.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The routing measure of the gate report, on gate weights written out by hand. */
class GateRoutingReportTest {

    static MethodSummary mode(Map<String, List<double[]>> gates, List<String> sources) {
        Map<String, List<Double>> entropy = new LinkedHashMap<>();
        gates.keySet().forEach(d -> entropy.put(d, List.of(1.0, 1.0)));
        return new MethodSummary("mode", "mode", List.of(0L), Map.of(), null, null, null, null, null, gates, entropy, sources,
                List.of());
    }

    @Test
    void routingIsAnExpertsWeightOnItsOwnDomainMinusOnTheOtherExpertsDomains() {
        Map<String, List<double[]>> gates = new LinkedHashMap<>();
        //                          backbone, code, math, prose             block 0, then block 1
        gates.put("code", List.of(new double[]{0.2, 0.6, 0.1, 0.1}, new double[]{0.4, 0.2, 0.2, 0.2}));
        gates.put("math", List.of(new double[]{0.3, 0.1, 0.5, 0.1}, new double[]{0.4, 0.2, 0.2, 0.2}));
        gates.put("prose", List.of(new double[]{0.3, 0.2, 0.2, 0.3}, new double[]{0.1, 0.3, 0.3, 0.3}));
        gates.put("english", List.of(new double[]{0.9, 0.0, 0.0, 0.1}, new double[]{0.9, 0.0, 0.0, 0.1}));
        Map<String, double[]> r = mode(gates, List.of("backbone", "code", "math", "prose")).routing();
        assertEquals(List.of("code", "math", "prose"), List.copyOf(r.keySet()), "experts named after domains, in gate order");
        // code, block 0: 0.6 on code tokens, (0.1 + 0.2) / 2 on math and prose tokens; english is no expert's domain
        assertArrayEquals(new double[]{0.6 - 0.15, 0.2 - 0.25}, r.get("code"), 1e-12);
        assertArrayEquals(new double[]{0.5 - 0.15, 0.2 - 0.25}, r.get("math"), 1e-12);
        assertArrayEquals(new double[]{0.3 - 0.1, 0.3 - 0.2}, r.get("prose"), 1e-12);
    }

    @Test
    void aGateThatDoesNotTellDomainsApartRoutesZero() {
        double[] same = {0.34, 0.33, 0.33};
        Map<String, List<double[]>> gates = new LinkedHashMap<>();
        gates.put("code", List.of(same, same));
        gates.put("math", List.of(same, same));
        for (double[] perBlock : mode(gates, List.of("backbone", "code", "math")).routing().values()) {
            assertArrayEquals(new double[]{0, 0}, perBlock, 0.0);
        }
    }

    @Test
    void fewerThanTwoDomainExpertsHaveNoRouting() {
        Map<String, List<double[]>> gates = new LinkedHashMap<>();
        gates.put("code", List.of(new double[]{0.5, 0.5}, new double[]{0.5, 0.5}));
        assertTrue(mode(gates, List.of("backbone", "code")).routing().isEmpty());
        assertTrue(mode(Map.of(), List.of()).routing().isEmpty());
    }
}
