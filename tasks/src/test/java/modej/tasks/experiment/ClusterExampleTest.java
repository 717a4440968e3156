package modej.tasks.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/** examples/cluster: the tiny experiment reads, and the Kubernetes Job has one completion per unit. */
class ClusterExampleTest {

    static final Path CLUSTER = Path.of("..", "examples", "cluster");

    @Test
    void theIndexedJobHasOneCompletionPerUnitOfTheExample() throws Exception {
        ExperimentConfig c = ExampleFilesTest.read("cluster");
        List<WorkUnit> units = WorkUnits.of(c);
        assertEquals(9, units.size());
        assertTrue(units.get(0).isBackbone());
        JsonNode job = null;
        try (MappingIterator<JsonNode> docs = new YAMLMapper().readerFor(JsonNode.class)
                .readValues(CLUSTER.resolve("kubernetes").resolve("experiment-job.yaml").toFile())) {
            while (docs.hasNext()) {
                JsonNode d = docs.next();
                if (d.path("kind").asText().equals("Job")) {
                    job = d;
                }
            }
        }
        assertEquals("Indexed", job.at("/spec/completionMode").asText());
        assertEquals(units.size(), job.at("/spec/completions").asInt());
        String args = job.at("/spec/template/spec/containers/0/args/0").asText();
        assertTrue(args.contains("examples/cluster/experiment.yaml") && args.contains("--only \"$JOB_COMPLETION_INDEX\""), args);
        assertEquals("ReadWriteMany", job.isMissingNode() ? "" : new YAMLMapper().readTree(
                Files.readString(CLUSTER.resolve("kubernetes").resolve("experiment-job.yaml")).split("\n---\n")[0])
                .at("/spec/accessModes/0").asText());
        String sbatch = Files.readString(CLUSTER.resolve("experiment.sbatch"));
        assertTrue(sbatch.contains("--only \"$SLURM_ARRAY_TASK_ID\""), sbatch);
        String submit = Files.readString(CLUSTER.resolve("submit-slurm.sh"));
        assertTrue(submit.contains("--dependency=afterok:"), submit);
    }
}
