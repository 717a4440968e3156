package modej.engine.jvm;

import static modej.engine.graph.Arg.i32;

import java.util.Arrays;
import java.util.SplittableRandom;

import modej.engine.device.Executable;
import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.engine.kernel.GradCheck;
import modej.engine.kernel.Matmul;

/**
 * Throughput of the fast paths (not a test). Run with
 * <pre>
 * java --add-modules jdk.incubator.vector -XX:-OptoRegScheduling \
 *      -cp engine/target/classes:engine/target/test-classes modej.engine.jvm.VectorBench matmul|attention [reps [filter]]
 * </pre>
 * Prints the median GFLOP/s of {@code reps} timed calls after warm-up by call count, single-threaded
 * (direct call over the whole range) and through {@link JvmBackend} with 2 threads.
 */
public final class VectorBench {

    public static void main(String[] args) {
        String what = args.length > 0 ? args[0] : "matmul";
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        only = args.length > 2 ? args[2] : "";
        if (what.equals("matmul")) {
            matmul(2048, 384, 1536, reps);
            matmul(2048, 384, 384, reps);
        } else {
            attention(8, 256, 384, 6, reps);
        }
    }

    static void matmul(int rows, int C, int OC, int reps) {
        SplittableRandom rnd = new SplittableRandom(1);
        float[] inp = GradCheck.randomFloats(rnd, rows * C, 1);
        float[] params = GradCheck.randomFloats(rnd, OC * C + OC, 0.1);
        float[] out = new float[rows * OC];
        float[] dout = GradCheck.randomFloats(rnd, rows * OC, 1);
        float[] dinp = new float[rows * C];
        float[] grads = new float[OC * C + OC];
        int wOff = 0, bOff = OC * C;
        double flops = 2.0 * rows * C * OC;
        String shape = "rows=" + rows + " C=" + C + " OC=" + OC;
        report("forward        1T " + shape, flops, reps,
                () -> MatmulVector.forward(out, inp, params, wOff, bOff, C, OC, 0, rows));
        report("backwardInput  1T " + shape, flops, reps,
                () -> MatmulVector.backwardInput(dinp, dout, params, wOff, C, OC, 0, rows));
        report("backwardParams 1T " + shape, flops, reps,
                () -> MatmulVector.backwardParams(grads, wOff, bOff, dout, inp, rows, C, OC, 0, OC));
        try (JvmBackend backend = new JvmBackend(2, true, false)) {
            Buffer.F32 bInp = new Buffer.F32("inp", inp), bParams = new Buffer.F32("params", params),
                    bOut = new Buffer.F32("out", out), bDout = new Buffer.F32("dout", dout),
                    bDinp = new Buffer.F32("dinp", dinp), bGrads = new Buffer.F32("grads", grads);
            Executable f = backend.compile(new Graph("f").task("f", rows, Matmul::forward,
                    bOut, bInp, bParams, i32(wOff), i32(bOff), i32(C), i32(OC)));
            Executable bi = backend.compile(new Graph("bi").task("bi", rows, Matmul::backwardInput,
                    bDinp, bDout, bParams, i32(wOff), i32(C), i32(OC)));
            Executable bp = backend.compile(new Graph("bp").task("bp", OC, Matmul::backwardParams,
                    bGrads, i32(wOff), i32(bOff), bDout, bInp, i32(rows), i32(C), i32(OC)));
            report("forward        2T " + shape, flops, reps, f::run);
            report("backwardInput  2T " + shape, flops, reps, bi::run);
            report("backwardParams 2T " + shape, flops, reps, bp::run);
        }
    }

    static void attention(int B, int T, int C, int NH, int reps) {
        SplittableRandom rnd = new SplittableRandom(2);
        float[] qkv = GradCheck.randomFloats(rnd, B * T * 3 * C, 1);
        float[] out = new float[B * T * C];
        float[] att = new float[B * NH * T * T];
        float[] dout = GradCheck.randomFloats(rnd, B * T * C, 1);
        float[] dpre = new float[B * NH * T * T];
        float[] dqkv = new float[B * T * 3 * C];
        int hs = C / NH, work = B * NH * T;
        // Causal: each (b, h, t) takes t + 1 dot products of length hs per GEMM.
        double gemm = 2.0 * B * NH * hs * ((double) T * (T + 1) / 2);
        String shape = "B=" + B + " T=" + T + " C=" + C + " NH=" + NH;
        report("attn forward        1T " + shape, 2 * gemm, reps,
                () -> AttentionVector.forward(out, att, qkv, T, C, NH, 0, work));
        report("attn backwardScores 1T " + shape, gemm, reps,
                () -> AttentionVector.backwardScores(dpre, dout, att, qkv, T, C, NH, 0, work));
        report("attn backwardInput  1T " + shape, 3 * gemm, reps,
                () -> AttentionVector.backwardInput(dqkv, dpre, att, qkv, dout, T, C, NH, 0, work));
        try (JvmBackend backend = new JvmBackend(2, true, false)) {
            Graph g = new Graph("attn");
            Buffer.F32 bOut = new Buffer.F32("out", out), bAtt = new Buffer.F32("att", att),
                    bQkv = new Buffer.F32("qkv", qkv), bDout = new Buffer.F32("dout", dout),
                    bDpre = new Buffer.F32("dpre", dpre), bDqkv = new Buffer.F32("dqkv", dqkv);
            Executable f = backend.compile(new Graph("f").task("f", work, AttentionVector::forward,
                    bOut, bAtt, bQkv, i32(T), i32(C), i32(NH)));
            Executable s = backend.compile(new Graph("s").task("s", work, AttentionVector::backwardScores,
                    bDpre, bDout, bAtt, bQkv, i32(T), i32(C), i32(NH)));
            Executable i = backend.compile(new Graph("i").task("i", work, AttentionVector::backwardInput,
                    bDqkv, bDpre, bAtt, bQkv, bDout, i32(T), i32(C), i32(NH)));
            report("attn forward        2T " + shape, 2 * gemm, reps, f::run);
            report("attn backwardScores 2T " + shape, gemm, reps, s::run);
            report("attn backwardInput  2T " + shape, 3 * gemm, reps, i::run);
            report("attn fwd+bwd        2T " + shape, 6 * gemm, reps, () -> {
                f.run();
                s.run();
                i.run();
            });
        }
    }

    static long cpuTime(java.lang.management.ThreadMXBean mx, long[] ids) {
        long sum = 0;
        for (long id : ids) {
            sum += Math.max(0, mx.getThreadCpuTime(id));
        }
        return sum;
    }

    /** Runs only the cases whose name contains this (e.g. "1T", "2T", "forward"). */
    static String only = "";

    static void report(String name, double flops, int reps, Runnable r) {
        if (!name.contains(only)) {
            return;
        }
        long warmStart = System.nanoTime();
        for (int i = 0; i < 200 && System.nanoTime() - warmStart < 3e9; i++) {
            r.run();
        }
        double[] g = new double[reps];
        double[] cpu = new double[reps];
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long[] ids = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t == Thread.currentThread() || t.getName().startsWith("modej-worker-"))
                .mapToLong(Thread::threadId).toArray();
        long bytes0 = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < reps; i++) {
            r.run();
        }
        long bytes = (mx.getCurrentThreadAllocatedBytes() - bytes0) / reps;
        for (int i = 0; i < reps; i++) {
            long c0 = cpuTime(mx, ids);
            long t0 = System.nanoTime();
            r.run();
            g[i] = flops / (System.nanoTime() - t0);
            cpu[i] = flops / (cpuTime(mx, ids) - c0);
        }
        Arrays.sort(g);
        Arrays.sort(cpu);
        // Per CPU-second of the calling thread and the pool's workers: robust to time-sharing on a busy machine;
        // times the thread count, it estimates the wall-clock rate on idle cores.
        System.out.printf("%-50s median %6.1f GFLOP/s  (min %6.1f, max %6.1f, %d reps; %6.1f per CPU-s; calling thread allocated %d B/call)%n",
                name, g[reps / 2], g[0], g[reps - 1], reps, cpu[reps / 2], bytes);
    }
}
