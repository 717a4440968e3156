package modej.tasks.experiment.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** MoE-LoRA's routers in the report: per layer, and how far apart the domains put each (unnamed) expert's weight. */
class MoeLoraRoutingReportTest {

    static MethodSummary moeLora(Map<String, List<double[]>> gates, List<String> sources) {
        Map<String, List<Double>> entropy = new LinkedHashMap<>();
        gates.keySet().forEach(d -> entropy.put(d, List.of(1.0, 1.0)));
        return new MethodSummary("moe", "moe-lora", List.of(0L), Map.of(), null, null, null, null, null, gates, entropy,
                sources, List.of());
    }

    @Test
    void spreadIsTheLargestMinusTheSmallestMeanWeightOverDomains() {
        Map<String, List<double[]>> gates = new LinkedHashMap<>();
        //                           e0,  e1,  e2              layer 0, then layer 1
        gates.put("code", List.of(new double[]{0.6, 0.3, 0.1}, new double[]{0.3, 0.3, 0.4}));
        gates.put("math", List.of(new double[]{0.2, 0.3, 0.5}, new double[]{0.3, 0.4, 0.3}));
        gates.put("english", List.of(new double[]{0.4, 0.4, 0.2}, new double[]{0.3, 0.3, 0.4}));
        MethodSummary m = moeLora(gates, List.of("e0", "e1", "e2"));
        assertEquals("layer", m.routedUnit());
        assertTrue(m.routing().isEmpty(), "no expert is named after a domain");
        Map<String, double[]> s = m.routingSpread();
        assertEquals(List.of("e0", "e1", "e2"), List.copyOf(s.keySet()));
        assertArrayEquals(new double[]{0.6 - 0.2, 0.0}, s.get("e0"), 1e-12);
        assertArrayEquals(new double[]{0.4 - 0.3, 0.4 - 0.3}, s.get("e1"), 1e-12);
        assertArrayEquals(new double[]{0.5 - 0.1, 0.4 - 0.3}, s.get("e2"), 1e-12);
    }

    @Test
    void moDeHasNoSpreadAndOneDomainHasNone() {
        Map<String, List<double[]>> gates = new LinkedHashMap<>();
        gates.put("code", List.of(new double[]{0.5, 0.5}));
        gates.put("math", List.of(new double[]{0.2, 0.8}));
        MethodSummary mode = GateRoutingReportTest.mode(gates, List.of("backbone", "code"));
        assertEquals("block", mode.routedUnit());
        assertTrue(mode.routingSpread().isEmpty());
        gates.remove("math");
        assertTrue(moeLora(gates, List.of("e0", "e1")).routingSpread().isEmpty());
    }
}
