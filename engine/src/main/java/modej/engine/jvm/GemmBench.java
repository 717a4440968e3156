package modej.engine.jvm;

import java.util.Arrays;
import java.util.SplittableRandom;

import jdk.incubator.vector.FloatVector;

/**
 * Throughput of the {@link Gemm} primitive alone, beside the machine's FMA peak measured the same
 * way, for {@code ./modej bench --op gemm}.
 *
 * <p>The product is the one behind every linear layer's forward pass,
 * {@code out (M, N) = inp (M, K) · weight (N, K)ᵀ} ({@link MatmulVector#forward} without bias),
 * its rows split over the workers of a {@link WorkerPool} as {@link JvmBackend} splits them.
 * The peak is {@value #CHAINS} independent {@code fma} chains over registers per worker, the
 * most the cores can do. Both are timed alternately, call by call, so that load from other
 * processes hits both alike; each is warmed up by call count first (the JIT compiles by counts).
 */
public final class GemmBench {

    /** Independent accumulator chains of the peak loop: enough to hide fma latency on 2 pipes. */
    static final int CHAINS = 12;
    private static final int MIN_PEAK_ITERS = 100_000;

    /** One measurement: GFLOP/s (median and best of the timed calls) of the GEMM and of the peak loop. */
    public record Result(int m, int n, int k, int threads, int vectorBits, int reps,
                         double gemmMedian, double gemmBest, double peakMedian, double peakBest, double msMedian) {

        /** Median GEMM speed as a fraction of the median peak. */
        public double ofPeak() {
            return gemmMedian / peakMedian;
        }
    }

    private GemmBench() {
    }

    /** Times {@code reps} GEMM calls and {@code reps} peak calls, alternating, after warm-up. */
    public static Result run(int m, int n, int k, int threads, int reps) {
        if (m < 1 || n < 1 || k < 1 || threads < 1 || reps < 1) {
            throw new IllegalArgumentException("m, n, k, threads and reps must be >= 1");
        }
        SplittableRandom rnd = new SplittableRandom(1);
        float[] inp = random(rnd, (long) m * k);
        float[] weight = random(rnd, (long) n * k);
        float[] out = new float[Math.toIntExact((long) m * n)];
        float[][] peakOut = new float[threads][Gemm.V];
        int[] starts = new int[threads + 1];
        for (int w = 0; w <= threads; w++) {
            starts[w] = (int) ((long) m * w / threads);
        }
        WorkerPool.Job gemm = w -> MatmulVector.forward(out, inp, weight, 0, -1, k, n, starts[w], starts[w + 1] - starts[w]);
        double gemmFlops = 2.0 * m * n * k;
        // The peak loop does as many flops per worker as the GEMM, so that both take about as long
        // and meet the same interruptions (at least MIN_PEAK_ITERS, about 0.2 ms, for tiny shapes).
        int iters = (int) Math.max(MIN_PEAK_ITERS, Math.min(Integer.MAX_VALUE, gemmFlops / threads / (2.0 * CHAINS * Gemm.V)));
        WorkerPool.Job peak = w -> fmaChains(peakOut[w], iters);
        double peakFlops = 2.0 * CHAINS * Gemm.V * iters * threads;
        try (WorkerPool pool = new WorkerPool(threads)) {
            // Warm-up by call count (C2 compiles after ~10^4 calls or loop back-edges): at least
            // 30 calls of each and 1 s in all, at most 1000 calls.
            long warm = System.nanoTime();
            for (int i = 0; i < 1000 && (i < 30 || System.nanoTime() - warm < 1_000_000_000L); i++) {
                pool.run(gemm);
                pool.run(peak);
            }
            double[] g = new double[reps], p = new double[reps];
            for (int r = 0; r < reps; r++) {
                g[r] = time(pool, gemm);
                p[r] = time(pool, peak);
            }
            double gMed = median(g), pMed = median(p);
            double gMin = Arrays.stream(g).min().orElseThrow(), pMin = Arrays.stream(p).min().orElseThrow();
            return new Result(m, n, k, threads, Gemm.SPECIES.vectorBitSize(), reps,
                    gemmFlops / gMed / 1e9, gemmFlops / gMin / 1e9, peakFlops / pMed / 1e9, peakFlops / pMin / 1e9,
                    gMed * 1e3);
        }
    }

    /** Seconds one call of {@code job} takes on the pool. */
    private static double time(WorkerPool pool, WorkerPool.Job job) {
        long t0 = System.nanoTime();
        pool.run(job);
        return (System.nanoTime() - t0) / 1e9;
    }

    /**
     * {@value #CHAINS} independent chains {@code acc = x·y + acc} (the accumulator as the addend,
     * as in the GEMM's register block) run {@code iters} times; the sum of the accumulators goes to
     * {@code out} so the loop cannot be dropped. x·y is small, so the values stay finite.
     */
    static void fmaChains(float[] out, int iters) {
        var s = Gemm.SPECIES;
        FloatVector x = FloatVector.broadcast(s, 0.999f), y = FloatVector.broadcast(s, 1e-6f);
        FloatVector a0 = FloatVector.broadcast(s, 0f), a1 = FloatVector.broadcast(s, 1f),
                a2 = FloatVector.broadcast(s, 2f), a3 = FloatVector.broadcast(s, 3f),
                a4 = FloatVector.broadcast(s, 4f), a5 = FloatVector.broadcast(s, 5f),
                a6 = FloatVector.broadcast(s, 6f), a7 = FloatVector.broadcast(s, 7f),
                a8 = FloatVector.broadcast(s, 8f), a9 = FloatVector.broadcast(s, 9f),
                a10 = FloatVector.broadcast(s, 10f), a11 = FloatVector.broadcast(s, 11f);
        for (int i = 0; i < iters; i++) {
            a0 = x.fma(y, a0);
            a1 = x.fma(y, a1);
            a2 = x.fma(y, a2);
            a3 = x.fma(y, a3);
            a4 = x.fma(y, a4);
            a5 = x.fma(y, a5);
            a6 = x.fma(y, a6);
            a7 = x.fma(y, a7);
            a8 = x.fma(y, a8);
            a9 = x.fma(y, a9);
            a10 = x.fma(y, a10);
            a11 = x.fma(y, a11);
        }
        a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .intoArray(out, 0);
    }

    private static float[] random(SplittableRandom rnd, long size) {
        float[] a = new float[Math.toIntExact(size)];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return a;
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
