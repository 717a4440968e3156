package modej.tasks.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tiny experiment with MoE-LoRA beside full fine-tuning: it trains, is evaluated, and its routers are in the report. */
class MoeLoraExperimentTest {

    @Test
    void moeLoraRunsInAnExperimentAndItsRoutersAreReported(@TempDir Path tmp) throws IOException {
        TinyExperiment x = new TinyExperiment(tmp);
        String yaml = Files.readString(x.config).replace("seeds: [0, 1]", "seeds: [0]")
                .replace("  - {name: mode, method: mode, blocks: 2, expertLayers: 1, init: random}\n",
                        "  - {name: moe, method: moe-lora, loraExperts: 3, rank: 2, topK: 2}\n");
        Files.writeString(x.config, yaml);
        TinyExperiment.Outcome o = x.run();
        assertEquals(0, o.code(), o.err());
        RunResult moe = RunResult.read(x.result("moe-seed0"));
        assertEquals("moe-lora", moe.kind());
        assertEquals(2, moe.gates().get("english").size(), "one router per layer");
        assertEquals(java.util.List.of("e0", "e1", "e2"), moe.gates().get("english").get(0).sources());
        // 2 layers × (router 3·16 + 3 experts · rank 2 · (16+48 + 16+16 + 16+64 + 64+16))
        assertEquals(2L * (3 * 16 + 3 * 2 * (64 + 32 + 80 + 80)), moe.costs().trainableParams());
        String report = Files.readString(x.out.resolve("report.md"));
        assertTrue(report.contains("## Router weights of moe"), report);
        assertTrue(report.contains("| domain | layer | e0 | e1 | e2 | entropy/token |"), report);
        assertTrue(report.contains("Routing by domain: per layer, each expert's largest minus smallest mean weight"), report);
    }
}
