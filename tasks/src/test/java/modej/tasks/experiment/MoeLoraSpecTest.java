package modej.tasks.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The {@code moe-lora} method in experiment files: its options, their defaults, and one-line errors naming their path. */
class MoeLoraSpecTest {

    static final String YAML = ExperimentFileTest.YAML.replace("  - {name: mode, method: mode, blocks: 1, topK: 1}",
            "  - {name: mode, method: mode, blocks: 1, topK: 1}\n  - {name: moe, method: moe-lora}");

    @Test
    void defaultsAreThoseOfTheCli() {
        MethodSpec m = ExperimentFileTest.read(YAML).method("moe");
        assertEquals("moe-lora", m.method());
        assertEquals(4, m.loraExperts());
        assertEquals(8, m.rank());
        assertEquals(16f, m.alpha());
        assertEquals(MethodSpec.ALL_TARGETS, m.targets());
        assertEquals(2, m.topK());
        assertEquals(0.01f, m.balance());
        assertEquals(null, m.experts(), "MoE-LoRA's experts are not domains");
    }

    @Test
    void givenOptionsAreKept() {
        MethodSpec m = ExperimentFileTest.read(YAML.replace("method: moe-lora}",
                "method: moe-lora, loraExperts: 3, rank: 2, alpha: 4, targets: [fc], topK: 0, balance: 0}")).method("moe");
        assertEquals(3, m.loraExperts());
        assertEquals(2, m.rank());
        assertEquals(4f, m.alpha());
        assertEquals(java.util.List.of("fc"), m.targets());
        assertEquals(0, m.topK());
        assertEquals(0f, m.balance());
    }

    @Test
    void badOptionsNameTheirPath() {
        assertEquals("exp.yaml: methods.3.topK: at most loraExperts (4), got 5",
                ExperimentFileTest.error(YAML.replace("method: moe-lora}", "method: moe-lora, topK: 5}")));
        assertEquals("exp.yaml: methods.3.loraExperts: must be >= 1, got 0",
                ExperimentFileTest.error(YAML.replace("method: moe-lora}", "method: moe-lora, loraExperts: 0}")));
        assertEquals("exp.yaml: methods.3.balance: must be >= 0, got -1.0",
                ExperimentFileTest.error(YAML.replace("method: moe-lora}", "method: moe-lora, balance: -1}")));
        assertEquals("exp.yaml: methods.3.blocks: not an option of method 'moe-lora'; its options: loraExperts, rank, alpha, "
                        + "targets, topK, balance, retentionWeight",
                ExperimentFileTest.error(YAML.replace("method: moe-lora}", "method: moe-lora, blocks: 2}")));
        assertEquals("exp.yaml: methods.1.loraExperts: not an option of method 'lora'; its options: rank, alpha, targets, perDomain, retentionWeight",
                ExperimentFileTest.error(YAML.replace("rank: 4", "rank: 4, loraExperts: 2")));
    }
}
