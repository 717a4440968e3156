package modej.tasks.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The experiment files in {@code examples/} read without error and fit their backbones. */
class ExampleFilesTest {

    static final Path EXAMPLES = Path.of("..", "examples");

    static ExperimentConfig read(String name) {
        Path file = EXAMPLES.resolve(name).resolve("experiment.yaml");
        assertTrue(Files.isRegularFile(EXAMPLES.resolve(name).resolve("README.md")), name + " has a README");
        ExperimentConfig c = ExperimentFile.read(file, List.of());
        Experiment.check(c.budget().seq() == null ? c.withSeq(c.backbone().pretrain().context()) : c,
                c.backbone().pretrain().model());
        return c;
    }

    @Test
    void gpt2ImportsAHuggingFaceDirectoryAndFitsTheGpt2Preset() {
        Path file = EXAMPLES.resolve("gpt2").resolve("experiment.yaml");
        assertTrue(Files.isRegularFile(EXAMPLES.resolve("gpt2").resolve("README.md")), "gpt2 has a README");
        ExperimentConfig c = ExperimentFile.read(file, List.of());
        assertEquals("models/gpt2", c.backbone().huggingface());
        Experiment.check(c, modej.model.gpt.GptConfig.preset("gpt2"));
        assertEquals(List.of("frozen", "full", "lora", "mode"), c.methods().stream().map(MethodSpec::method).toList());
    }

    @Test
    void quickstartComparesTheFourKindsOnOneSeed() {
        ExperimentConfig c = read("quickstart");
        assertEquals(List.of("frozen", "full", "lora", "mode"), c.methods().stream().map(MethodSpec::method).toList());
        assertEquals(List.of(0L), c.seeds());
        assertEquals(0.0, c.domains().get("english").weight());
        assertEquals(300, c.backbone().pretrain().steps());
    }

    @Test
    void table1SmallHasThreeSeedsAndFullFineTuningAsReference() {
        ExperimentConfig c = read("table1-small");
        assertEquals(3, c.seeds().size());
        assertTrue(c.methods().stream().anyMatch(m -> m.method().equals("full")));
        assertTrue(c.methods().stream().anyMatch(m -> m.method().equals("lora-matched")));
    }

    @Test
    void ablationCoversTheBlocksByLayersGrid() {
        ExperimentConfig c = read("ablation-blocks");
        List<String> grid = c.methods().stream().filter(m -> m.method().equals("mode"))
                .map(m -> m.blocks() + "x" + m.expertLayers()).toList();
        assertEquals(List.of("1x1", "1x2", "2x1", "2x2", "4x1", "4x2"), grid);
        ExperimentFile.read(EXAMPLES.resolve("ablation-blocks").resolve("experiment.yaml"), List.of("backbone.pretrain=null",
                "backbone.checkpoint=runs/experiments/table1-small/backbone/checkpoint.safetensors"));
    }
}
