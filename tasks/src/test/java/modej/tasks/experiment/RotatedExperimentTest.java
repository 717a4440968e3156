package modej.tasks.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import modej.model.checkpoint.Checkpoint;
import modej.model.checkpoint.Safetensors;
import modej.tasks.cli.Main;

/**
 * A rotated experiment with per-domain and retention-mixing methods, run whole on the tiny
 * experiment: each run trains on what its variant says (rows counted per domain), the per-domain
 * model of a domain is the same model whichever set it is listed under, the retention matrix has
 * exactly the held-out cells of each model with values taken from its own runs and the frozen
 * backbone's, and a rotated experiment killed mid-run continues to the weights of one never stopped.
 */
class RotatedExperimentTest {

    @TempDir
    Path dir;

    private static final List<String> SETS = List.of(
            "--set", "rotate=[[numbers], [code, numbers]]",
            "--set", "methods=[{name: frozen, method: frozen}, {name: full, method: full}, "
                    + "{name: lora, method: lora, rank: 2, perDomain: true}, "
                    + "{name: mix, method: full, retentionWeight: 0.5}, "
                    + "{name: mode, method: mode, blocks: 2, expertLayers: 1, init: random}]");

    @Test
    void everyRunTrainsOnItsVariantAndTheMatrixTakesItsCellsFromTheRightRuns() throws IOException {
        TinyExperiment tiny = new TinyExperiment(dir);
        TinyExperiment.Outcome o = tiny.run(SETS.toArray(String[]::new));
        assertEquals(0, o.code(), o.err());
        List<String> labels = List.of("frozen", "numbers.full", "numbers.lora@numbers", "numbers.mix", "numbers.mode",
                "code+numbers.full", "code+numbers.lora@code", "code+numbers.lora@numbers", "code+numbers.mix",
                "code+numbers.mode");
        assertTrue(o.err().contains("20 runs trained, 0 skipped"), o.err());
        int rows = 5 * 2; // steps × batch: every run's budget

        // what each run drew its rows from, as counted while training
        assertEquals(Map.of(), rowsOf(tiny, "frozen-seed0"));
        assertEquals(Map.of("numbers", (long) rows), rowsOf(tiny, "numbers.full-seed1"));
        assertEquals(Map.of("code", (long) rows), rowsOf(tiny, "code+numbers.lora@code-seed0"));
        Map<String, Long> mix = rowsOf(tiny, "code+numbers.mix-seed0");
        assertEquals(List.of("numbers", "code", "english"), List.copyOf(mix.keySet()));
        assertTrue(mix.get("english") > 0 && mix.values().stream().mapToLong(Long::longValue).sum() == rows, mix.toString());
        Map<String, Long> mode = rowsOf(tiny, "code+numbers.mode-seed0"); // 1 stage-1 step per expert, 3 of stage 2
        assertEquals(rows, mode.get("code") + mode.get("numbers"));
        assertTrue(mode.get("code") >= 2 && mode.get("numbers") >= 2, mode.toString());

        // the per-domain model of numbers is the same model in both sets: it trained on numbers only
        JsonNode a = result(tiny, "numbers.lora@numbers-seed0"), b = result(tiny, "code+numbers.lora@numbers-seed0");
        assertEquals(a.get("metrics"), b.get("metrics"));
        assertFalse(a.get("metrics").equals(result(tiny, "code+numbers.lora@code-seed0").get("metrics")));

        JsonNode results = new ObjectMapper().readTree(tiny.out.resolve("results.json").toFile());
        JsonNode matrix = results.get("retentionMatrix");
        assertEquals("frozen", matrix.get("frozen").asText());
        assertEquals(labels.subList(1, labels.size()), names(matrix.get("rows"), "row"));
        for (JsonNode row : matrix.get("rows")) {
            String label = row.get("row").asText();
            List<String> trained = new ArrayList<>();
            row.get("trainedOn").forEach(x -> trained.add(x.asText()));
            List<String> heldOut = new ArrayList<>();
            row.get("heldOut").fieldNames().forEachRemaining(heldOut::add);
            List<String> expected = new ArrayList<>(List.of("english", "numbers", "code", "math"));
            expected.removeAll(trained);
            if (trained.contains("english")) {
                expected.add(0, "english"); // mixed in: its evaluated part is still unseen, and shown
            }
            assertEquals(expected, heldOut, label);
            for (String d : heldOut) {
                JsonNode cell = row.get("heldOut").get(d);
                double acc = 0, change = 0, loss = 0;
                for (int seed = 0; seed < 2; seed++) {
                    JsonNode m = result(tiny, label + "-seed" + seed).get("metrics").get(d);
                    JsonNode f = result(tiny, "frozen-seed" + seed).get("metrics").get(d);
                    acc += m.get("accuracy").asDouble() / 2;
                    loss += m.get("loss").asDouble() / 2;
                    change += (m.get("accuracy").asDouble() - f.get("accuracy").asDouble()) / 2;
                }
                assertEquals(acc, cell.get("accuracy").get("mean").asDouble(), 1e-12, label + " " + d);
                assertEquals(loss, cell.get("loss").get("mean").asDouble(), 1e-12, label + " " + d);
                assertEquals(change, cell.get("accuracyChange").get("mean").asDouble(), 1e-12, label + " " + d);
                assertEquals(2, cell.get("pairs").asInt());
            }
        }
        assertEquals(List.of("numbers"), names(matrix.get("rows").get(0).get("trainedOn"), null));
        assertEquals(List.of("english", "numbers", "code"), names(matrix.get("rows").get(7).get("trainedOn"), null),
                "code+numbers.mix trains on English's training part too");

        String report = Files.readString(tiny.out.resolve("report.md"));
        assertTrue(report.contains("## Retention matrix"), report);
        assertTrue(report.contains("| numbers.full | numbers | "), report);
        assertTrue(report.contains("| code+numbers.lora@code | mode".replace("mode", "lora")), report);
        assertTrue(report.contains("Trained sets (`rotate`): [numbers], [code, numbers]."), report);
        String csv = Files.readString(tiny.out.resolve("results.csv"));
        String header = csv.lines().findFirst().orElseThrow();
        assertTrue(header.startsWith("run,method,kind,seed,trained,") && header.contains(",train.rows.english,"), header);
        assertTrue(csv.contains("\ncode+numbers.lora@code-seed1,lora@code,lora,1,code+numbers,"), csv);
    }

    @Test
    void aKilledRotatedExperimentContinuesToTheSameWeights() throws Exception {
        TinyExperiment tiny = new TinyExperiment(dir);
        List<String> set = List.of("--set", "rotate=[[numbers], [code]]", "--set",
                "methods=[{name: frozen, method: frozen}, {name: full, method: full}]", "--set", "seeds=[0]",
                "--set", "budget.steps=200", "--set", "budget.stage2Steps=2");
        TinyExperiment.Outcome whole = tiny.run(set.toArray(String[]::new));
        assertEquals(0, whole.code(), whole.err());
        Path other = dir.resolve("killed");
        Path state = other.resolve("runs/code.full-seed0/model.safetensors.resume");

        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-XX:-OptoRegScheduling", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "experiment", tiny.config.toString(), "--out", other.toString(), "--threads", "2"));
        cmd.addAll(set);
        Path log = dir.resolve("child.txt");
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (child.isAlive() && !Files.exists(state) && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertTrue(child.isAlive() && Files.exists(state), () -> "no state to kill the run at: " + read(log));
        child.destroyForcibly().waitFor();
        assertTrue(Files.exists(other.resolve("runs/numbers.full-seed0/result.json")), "the first set's run finished");
        assertFalse(Files.exists(other.resolve("runs/code.full-seed0/result.json")), "the run finished before the kill");

        List<String> args = new ArrayList<>(List.of("experiment", tiny.config.toString(), "--out", other.toString(),
                "--threads", "1"));
        args.addAll(set);
        TinyExperiment.Outcome again = TinyExperiment.capture(args);
        assertEquals(0, again.code(), again.err());
        assertTrue(again.err().contains("train: continuing after step "), again.err());
        assertTrue(again.err().contains("1 runs trained, 2 skipped"), again.err());
        for (String run : List.of("numbers.full-seed0", "code.full-seed0")) {
            Checkpoint x = Safetensors.read(tiny.out.resolve("runs/" + run + "/model.safetensors"));
            Checkpoint y = Safetensors.read(other.resolve("runs/" + run + "/model.safetensors"));
            assertEquals(x.tensors().keySet(), y.tensors().keySet());
            x.tensors().forEach((name, t) -> assertEquals(t, y.tensors().get(name), run + " " + name));
        }
    }

    private static JsonNode result(TinyExperiment tiny, String label) throws IOException {
        return new ObjectMapper().readTree(tiny.result(label).toFile());
    }

    private static Map<String, Long> rowsOf(TinyExperiment tiny, String label) throws IOException {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        result(tiny, label).get("trainRows").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asLong()));
        return out;
    }

    private static List<String> names(JsonNode list, String field) {
        List<String> out = new ArrayList<>();
        list.forEach(x -> out.add(field == null ? x.asText() : x.get(field).asText()));
        return out;
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
