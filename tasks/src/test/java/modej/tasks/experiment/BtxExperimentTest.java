package modej.tasks.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An experiment with BTX beside full fine-tuning: both BTX stages train within the budget (one
 * branch per expert domain, then the mix), and the report shows its routers per domain and layer.
 */
class BtxExperimentTest {

    @Test
    void btxTrainsItsStagesAndTheReportShowsItsRouters(@TempDir Path dir) throws Exception {
        TinyExperiment x = new TinyExperiment(dir);
        String yaml = Files.readString(x.config);
        String mode = "  - {name: mode, method: mode, blocks: 2, expertLayers: 1, init: random}";
        assertTrue(yaml.contains(mode));
        Files.writeString(x.config, yaml.replace(mode, "  - {name: btx, method: btx, experts: [numbers, code], topK: 1}")
                .replace("seeds: [0, 1]", "seeds: [0]"));
        TinyExperiment.Outcome o = x.run();
        assertEquals(0, o.code(), o.err());
        Path run = x.out.resolve("runs").resolve(RunResult.label("btx", 0));
        for (String f : new String[]{"stage1-numbers.safetensors", "stage1-code.safetensors", "model.safetensors"}) {
            assertTrue(Files.exists(run.resolve(f)), f + " in " + run);
        }
        String report = Files.readString(x.out.resolve("report.md"));
        assertTrue(report.contains("btx: 2 experts × 1 steps + 3 steps"), report);
        assertTrue(report.contains("## Router weights of btx"), report);
        assertTrue(report.contains("![Router weights of btx, layer 1](plots/gates-btx-layer1.png)"), report);
        assertTrue(Files.exists(x.out.resolve("plots/gates-btx-layer1.png")));
        assertTrue(report.matches("(?s).*\\| domain \\| layer \\| backbone \\| numbers \\| code \\| entropy/token \\|.*"), report);
        // a second call finds everything finished and trains nothing
        var saved = Files.getLastModifiedTime(run.resolve("model.safetensors"));
        TinyExperiment.Outcome again = x.run();
        assertEquals(0, again.code(), again.err());
        assertEquals(saved, Files.getLastModifiedTime(run.resolve("model.safetensors")));
        Files.copy(x.out.resolve("report.md"), Path.of("target", "btx-experiment-report.md"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
