package modej.tasks.experiment;

import static modej.tasks.experiment.ExperimentFileTest.error;
import static modej.tasks.experiment.ExperimentFileTest.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The {@code btx} method in experiment files: its defaults, its options, and one-line errors naming their path. */
class BtxMethodSpecTest {

    static final String YAML = ExperimentFileTest.YAML.replace("  - {name: mode, method: mode, blocks: 1, topK: 1}",
            "  - {name: mode, method: mode, blocks: 1, topK: 1}\n  - {name: btx, method: btx}");

    @Test
    void defaultsAreMoDEsExpertDomainsTopTwoAndABalanceLoss() {
        MethodSpec btx = read(YAML).method("btx");
        assertEquals(List.of("code", "math"), btx.experts(), "as MoDE's: every domain that trains (English is held out here)");
        assertEquals(2, btx.topK());
        assertEquals(0.01f, btx.balance());
        assertFalse(btx.trainGateOnly());
        assertEquals(1e-3f, btx.lr());
        MethodSpec chosen = read(YAML.replace("method: btx}", "method: btx, experts: [code, math], topK: 0, balance: 0, "
                + "trainGateOnly: true}")).method("btx");
        assertEquals(List.of("code", "math"), chosen.experts());
        assertEquals(0, chosen.topK());
        assertEquals(0f, chosen.balance());
        assertTrue(chosen.trainGateOnly());
    }

    @Test
    void badOptionsAreOneLineNamingTheirPath() {
        assertEquals("exp.yaml: methods.3.blocks: not an option of method 'btx'; its options: experts, topK, balance, trainGateOnly, retentionWeight",
                error(YAML.replace("method: btx}", "method: btx, blocks: 2}")));
        assertEquals("exp.yaml: methods.3.topK: must be >= 0, got -1", error(YAML.replace("method: btx}", "method: btx, topK: -1}")));
        assertEquals("exp.yaml: methods.3.balance: must be >= 0, got -0.5",
                error(YAML.replace("method: btx}", "method: btx, balance: -0.5}")));
        assertEquals("exp.yaml: methods.3.topK: at most 3 (the original MLP and 2 experts), got 4",
                error(YAML.replace("method: btx}", "method: btx, experts: [code, math], topK: 4}")));
        assertEquals("exp.yaml: methods.3.experts: no domain 'chess'; have [code, math, english]",
                error(YAML.replace("method: btx}", "method: btx, experts: [chess]}")));
        assertEquals("exp.yaml: methods.3.experts: need at least one domain, each once, got [code, code]",
                error(YAML.replace("method: btx}", "method: btx, experts: [code, code]}")));
    }
}
