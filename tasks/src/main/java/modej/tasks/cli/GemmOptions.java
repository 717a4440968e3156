package modej.tasks.cli;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import modej.engine.jvm.GemmBench;
import picocli.CommandLine.Option;

/** {@code ./modej bench --op gemm}: the GEMM primitive alone, beside the FMA peak of the same threads. */
public final class GemmOptions {

    @Option(names = "--op", defaultValue = "train", paramLabel = "train|gemm",
            description = {"train (default): a GPT's training steps and forward passes.",
                    "gemm: the JVM backend's GEMM alone, out (M,N) = inp (M,K)·weight (N,K)ᵀ, in GFLOP/s beside",
                    "the FMA peak of the same threads (--m, --n, --k, --reps, --threads)."})
    String op;
    @Option(names = "--m", defaultValue = "2048", description = "With --op gemm: rows M (default: ${DEFAULT-VALUE}).")
    int m;
    @Option(names = "--n", defaultValue = "1536", description = "With --op gemm: columns N (default: ${DEFAULT-VALUE}).")
    int n;
    @Option(names = "--k", defaultValue = "384", description = "With --op gemm: depth K (default: ${DEFAULT-VALUE}).")
    int k;
    @Option(names = "--reps", defaultValue = "30", description = "With --op gemm: timed calls of each (default: ${DEFAULT-VALUE}).")
    int reps;

    /** Whether the GEMM bench was asked for; a bad --op is a user error. */
    boolean gemm() {
        return switch (op) {
            case "train" -> false;
            case "gemm" -> true;
            default -> throw new UserError("unknown --op '" + op + "'; valid: train, gemm");
        };
    }

    /** Runs the GEMM bench and prints its JSON line (and a summary on stderr unless {@code json}). */
    int run(BackendOptions backend, boolean json) throws Exception {
        if (!"jvm".equals(backend.backend) || backend.noVector || backend.profile) {
            throw new UserError("--op gemm times the JVM backend's Vector API GEMM; drop --backend, --no-vector and --profile");
        }
        if (m < 1 || n < 1 || k < 1 || reps < 1) {
            throw new UserError("--m, --n, --k and --reps must be >= 1");
        }
        if ((long) m * k > Integer.MAX_VALUE || (long) n * k > Integer.MAX_VALUE || (long) m * n > Integer.MAX_VALUE) {
            throw new UserError("--m, --n, --k: each matrix must have fewer than 2^31 elements");
        }
        int threads = backend.threads();
        GemmBench.Result r = GemmBench.run(m, n, k, threads, reps);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("op", "gemm");
        out.put("m", m);
        out.put("n", n);
        out.put("k", k);
        out.put("threads", threads);
        out.put("vector_bits", r.vectorBits());
        out.put("java", Runtime.version().toString());
        out.put("reps", reps);
        out.put("ms_median", round(r.msMedian(), 3));
        out.put("gemm_gflops", round(r.gemmMedian(), 1));
        out.put("gemm_gflops_best", round(r.gemmBest(), 1));
        out.put("peak_gflops", round(r.peakMedian(), 1));
        out.put("peak_gflops_best", round(r.peakBest(), 1));
        out.put("of_peak", round(r.ofPeak(), 3));
        System.out.println(new ObjectMapper().writeValueAsString(out));
        if (!json) {
            System.err.printf("gemm %dx%dx%d, %d thread%s, %d-bit vectors: %.1f GFLOP/s (median of %d), "
                            + "FMA peak %.1f GFLOP/s: %.0f%% of peak%n", m, n, k, threads, threads == 1 ? "" : "s",
                    r.vectorBits(), r.gemmMedian(), reps, r.peakMedian(), 100 * r.ofPeak());
        }
        return 0;
    }

    private static double round(double x, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(x * f) / f;
    }
}
