package modej.engine.jvm;

import java.util.SplittableRandom;

/**
 * What skipping unrouted rows saves (not a test): the three products of one expert matmul
 * (forward, input gradient, weight gradient) by {@link MatmulVector} on every row against
 * {@link RoutedMatmulVector} with k of E1 sources per row, one thread, the minimum over 40
 * alternating rounds. Run with
 * <pre>
 * java --add-modules jdk.incubator.vector -XX:-OptoRegScheduling \
 *      -cp engine/target/classes:engine/target/test-classes modej.engine.jvm.RoutedMatmulBench
 * </pre>
 */
public final class RoutedMatmulBench {

    private RoutedMatmulBench() {
    }

    public static void main(String[] a) {
        int rows = 512, C = 256, OC = 1024, E1 = 4;
        SplittableRandom r = new SplittableRandom(1);
        float[] inp = new float[rows * C], p = new float[OC * C + OC], out = new float[rows * OC], dout = new float[rows * OC];
        float[] dinp = new float[rows * C], g = new float[OC * C + OC];
        for (int i = 0; i < inp.length; i++) inp[i] = (float) r.nextGaussian();
        for (int i = 0; i < p.length; i++) p[i] = (float) r.nextGaussian();
        for (int i = 0; i < dout.length; i++) dout[i] = (float) r.nextGaussian();
        for (int k : new int[]{1, 2}) {
            float[] w = new float[rows * E1];
            for (int row = 0; row < rows; row++) for (int j = 0; j < k; j++) w[row * E1 + (row + j) % E1] = 0.5f;  // source 0 gets k/E1 of rows
            double best0 = 1e9, best1 = 1e9;
            for (int round = 0; round < 40; round++) {
                long t0 = System.nanoTime();
                MatmulVector.forward(out, inp, p, 0, OC * C, C, OC, 0, rows);
                MatmulVector.backwardInput(dinp, dout, p, 0, C, OC, 0, rows);
                MatmulVector.backwardParams(g, 0, OC * C, dout, inp, rows, C, OC, 0, OC);
                long t1 = System.nanoTime();
                RoutedMatmulVector.forward(out, inp, p, 0, OC * C, w, 0, E1, C, OC, 0, rows);
                RoutedMatmulVector.backwardInput(dinp, dout, p, 0, w, 0, E1, C, OC, 0, rows);
                RoutedMatmulVector.backwardParams(g, 0, OC * C, dout, inp, w, 0, E1, rows, C, OC, 0, OC);
                long t2 = System.nanoTime();
                best0 = Math.min(best0, (t1 - t0) / 1e6);
                best1 = Math.min(best1, (t2 - t1) / 1e6);
            }
            System.out.printf("rows %d, C %d, OC %d, %d of %d sources per row: dense %.2f ms, routed (%d rows) %.2f ms, ratio %.2f (ideal %.2f)%n",
                    rows, C, OC, k, E1, best0, rows * k / E1, best1, best1 / best0, (double) k / E1);
        }
    }
}
