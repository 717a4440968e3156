package modej.tasks.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import modej.engine.device.Backend;
import modej.model.gpt.GptConfig;
import modej.engine.plan.ExecutionPlan;
import modej.model.method.AdaptedModel;
import modej.model.gpt.Runner;
import modej.model.param.AdamWSettings;

/**
 * Times whole training steps (forward, backward, AdamW) and forward-only passes of a GPT on
 * uniform random tokens, as ../shared/bench/torch_gpt.py does, and reports the same fields.
 */
public final class TrainingBench {

    /** What to run. */
    public record Settings(int batch, int seq, int steps, int warmup, float lr, long seed) {
    }

    private TrainingBench() {
    }

    /** Times {@code model}'s training (its trainable slabs) and forward passes under {@code plan}. */
    public static Map<String, Object> run(Settings s, AdaptedModel model, Backend backend, ExecutionPlan plan,
                                          int threads, boolean vector) {
        GptConfig c = model.backbone().config();
        Runner runner = new Runner(model.graphs(s.batch(), s.seq()), backend, AdamWSettings.DEFAULT, plan);
        SplittableRandom rnd = new SplittableRandom(s.seed());
        int n = s.batch() * s.seq();
        int[] inputs = new int[n], targets = new int[n];
        double[] stepMs = new double[s.steps()];
        double lossFirst = Double.NaN, lossLast = Double.NaN, firstStepMs = Double.NaN;
        for (int i = 0; i < s.warmup() + s.steps(); i++) {
            fill(rnd, inputs, c.vocab());
            fill(rnd, targets, c.vocab());
            long t0 = System.nanoTime();
            double loss = runner.trainStep(inputs, targets, s.lr(), i + 1).loss();
            long t1 = System.nanoTime();
            if (i == 0) {
                lossFirst = loss;
                firstStepMs = (t1 - t0) / 1e6; // on a TornadoVM device: mostly compiling every kernel
            }
            lossLast = loss;
            if (i >= s.warmup()) {
                stepMs[i - s.warmup()] = (t1 - t0) / 1e6;
            }
        }
        double[] fwdMs = new double[s.steps()];
        for (int i = 0; i < s.warmup() + s.steps(); i++) {
            long t0 = System.nanoTime();
            runner.evaluate(inputs, targets);
            long t1 = System.nanoTime();
            if (i >= s.warmup()) {
                fwdMs[i - s.warmup()] = (t1 - t0) / 1e6;
            }
        }
        double med = median(stepMs), fmed = median(fwdMs);
        // FLOPs per token as the PyTorch peer counts them (2 per multiply-add), of what runs: training =
        // forward + input gradients + the weight gradients of trainable weights only (3 × forward when
        // everything trains); forward = 2·N_matmul + 4·L·T·d
        double flopTrain = model.trainFlopsPerToken(s.seq()), flopForward = model.forwardFlopsPerToken(s.seq());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("label", "modej");
        out.put("method", model.method());
        out.put("strategy", plan.strategy().name().toLowerCase(java.util.Locale.ROOT));
        out.put("cfg", Map.of("L", c.layers(), "d", c.width(), "h", c.heads(), "T", s.seq(), "B", s.batch(), "V", c.vocab()));
        out.put("backend", backend.name());
        out.put("threads", threads);
        out.put("vector", vector);
        out.put("java", Runtime.version().toString());
        out.put("params", model.counts().total());
        out.put("trainable_params", model.counts().trainable());
        out.put("steps", s.steps());
        out.put("warmup", s.warmup());
        out.put("ms_step_median", round(med, 2));
        out.put("ms_step_min", round(Arrays.stream(stepMs).min().orElse(Double.NaN), 2));
        out.put("ms_first_step", round(firstStepMs, 1));
        out.put("train_tok_s", round(n / med * 1e3, 1));
        out.put("steps_s", round(1e3 / med, 3));
        out.put("train_flops_per_token", (long) flopTrain);
        out.put("train_gflops", round(flopTrain * n / med / 1e6, 1));
        out.put("infer_ms_median", round(fmed, 2));
        out.put("infer_tok_s", round(n / fmed * 1e3, 1));
        out.put("infer_gflops", round(flopForward * n / fmed / 1e6, 1));
        out.put("loss_first", round(lossFirst, 4));
        out.put("loss_last", round(lossLast, 4));
        return out;
    }

    private static void fill(SplittableRandom rnd, int[] a, int vocab) {
        for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextInt(vocab);
        }
    }

    static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        int n = s.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static double round(double x, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(x * f) / f;
    }
}
