package modej.tasks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/** {@code ./modej bench --op gemm}: one JSON line with the GEMM and peak speeds; bad input is a one-line error. */
class BenchGemmTest {

    @Test
    void printsGemmAndPeakSpeeds() throws Exception {
        TrainCommandTest.Run r = TrainCommandTest.ok(List.of("bench", "--op", "gemm", "--m", "20", "--n", "33", "--k", "17",
                "--threads", "2", "--reps", "3"));
        String[] lines = r.out().trim().split("\n");
        @SuppressWarnings("unchecked")
        Map<String, Object> json = new ObjectMapper().readValue(lines[lines.length - 1], Map.class);
        assertEquals("gemm", json.get("op"));
        assertEquals(20, json.get("m"));
        assertEquals(33, json.get("n"));
        assertEquals(17, json.get("k"));
        assertEquals(2, json.get("threads"));
        // Speeds are rounded to 0.1 GFLOP/s (a tiny shape on a loaded machine may round to 0).
        double gemm = ((Number) json.get("gemm_gflops")).doubleValue(), peak = ((Number) json.get("peak_gflops")).doubleValue();
        assertTrue(gemm >= 0 && peak > 0, r.out());
        assertTrue(((Number) json.get("ms_median")).doubleValue() > 0, r.out());
        double ofPeak = ((Number) json.get("of_peak")).doubleValue();
        assertTrue(ofPeak >= 0 && Math.abs(ofPeak - gemm / peak) <= 0.0005 + 0.05 / peak + 0.05 * ofPeak / peak, r.out());
        assertTrue(r.err().contains("of peak"), r.err());
    }

    @Test
    void badOpAndShapesAreUserErrors() {
        TrainCommandTest.Run op = TrainCommandTest.run(List.of("bench", "--op", "conv"));
        assertEquals(2, op.code());
        assertTrue(op.err().contains("unknown --op 'conv'"), op.err());
        TrainCommandTest.Run shape = TrainCommandTest.run(List.of("bench", "--op", "gemm", "--m", "0"));
        assertEquals(2, shape.code());
        assertTrue(shape.err().contains("--m, --n, --k and --reps must be >= 1"), shape.err());
        TrainCommandTest.Run backend = TrainCommandTest.run(List.of("bench", "--op", "gemm", "--no-vector"));
        assertEquals(2, backend.code());
        assertTrue(backend.err().contains("--op gemm times the JVM backend"), backend.err());
    }

    @Test
    void benchTakesPretrainsWidthOptionAndTheOlderDim() throws Exception {
        // --width is the name pretrain uses; --dim stays as the older spelling of the same option
        List<String> shape = List.of("bench", "--layers", "1", "--heads", "2", "--seq", "8", "--batch", "2", "--vocab", "64",
                "--steps", "1", "--warmup", "0", "--threads", "1", "--json");
        Map<?, ?> width = lastJson(TrainCommandTest.ok(concat(shape, "--width", "32")).out());
        Map<?, ?> dim = lastJson(TrainCommandTest.ok(concat(shape, "--dim", "32")).out());
        Map<?, ?> wider = lastJson(TrainCommandTest.ok(concat(shape, "--width", "48")).out());
        assertEquals(width.get("params"), dim.get("params"));
        assertTrue(((Number) wider.get("params")).longValue() > ((Number) width.get("params")).longValue(),
                "--width must change the model");
    }

    private static List<String> concat(List<String> a, String... b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(List.of(b));
        return all;
    }

    private static Map<?, ?> lastJson(String out) throws Exception {
        String[] lines = out.trim().split("\n");
        return new ObjectMapper().readValue(lines[lines.length - 1], Map.class);
    }
}
