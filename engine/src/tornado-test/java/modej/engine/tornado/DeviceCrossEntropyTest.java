package modej.engine.tornado;

import static modej.engine.graph.Arg.i32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.engine.graph.Task;
import modej.engine.kernel.CrossEntropy;

/**
 * {@link DeviceCrossEntropy}, which the TornadoVM backend runs on the device in place of
 * {@link CrossEntropy}'s kernels, against those portable kernels run here on the JVM (themselves
 * checked against finite differences in {@code CrossEntropyTest}), on vocabularies below and above
 * a work-group's {@value DeviceCrossEntropy#LANES} lanes. Every third row is ignored (target −1);
 * some rows hold their maximum twice, so the first arg-max must win; the outputs start out holding
 * garbage (both kernels write every element).
 */
@Tag("tornado")
class DeviceCrossEntropyTest {

    @ParameterizedTest(name = "rows {0}, V {1}")
    @CsvSource({"7, 5", "12, 128", "9, 300", "4, 1031"})
    void forwardAndBackwardMatchThePortableKernels(int rows, int V) {
        SplittableRandom r = new SplittableRandom(rows * 7919L + V);
        Buffer.F32 logits = DeviceTests.random("logits", rows * V, r, 4.0);
        Buffer.I32 targets = new Buffer.I32("targets", rows);
        for (int row = 0; row < rows; row++) {
            targets.data()[row] = row % 3 == 2 ? -1 : r.nextInt(V);
            if (row % 2 == 0 && V > 3) { // the row's maximum twice: at 1 and at the target or V - 1
                int second = targets.data()[row] > 1 ? targets.data()[row] : V - 1;
                logits.data()[row * V + 1] = 9f;
                logits.data()[row * V + second] = 9f;
            }
        }
        Buffer.F32 scale = new Buffer.F32("scale", 1);
        scale.data()[0] = 1f / rows;
        Buffer.F32 losses = DeviceTests.random("losses", rows, r, 1.0);
        Buffer.F32 probs = DeviceTests.random("probs", rows * V, r, 1.0);
        Buffer.F32 correct = DeviceTests.random("correct", rows, r, 1.0);
        Buffer.F32 dlogits = DeviceTests.random("dlogits", rows * V, r, 1.0);
        Buffer.F32 probsIn = new Buffer.F32("probsIn", rows * V); // backward's probabilities, from the JVM

        float[] lossRef = new float[rows], probsRef = new float[rows * V], correctRef = new float[rows];
        float[] dlogitsRef = new float[rows * V];
        CrossEntropy.forward(lossRef, probsRef, correctRef, logits.data(), targets.data(), V, 0, rows);
        CrossEntropy.backward(dlogitsRef, probsRef, targets.data(), scale.data(), V, 0, rows);
        System.arraycopy(probsRef, 0, probsIn.data(), 0, probsRef.length);

        Graph g = new Graph("cross-entropy")
                .task("forward", rows, CrossEntropy::forward, losses, probs, correct, logits, targets, i32(V))
                .task("backward", rows, CrossEntropy::backward, dlogits, probsIn, targets, scale, i32(V));
        for (Task t : g.tasks()) {
            DeviceTests.assertReplaced(t);
        }
        try (TornadoBackend be = new TornadoBackend()) {
            be.compile(g).run();
            be.toHost(losses, probs, correct, dlogits);
        }
        // the device's float exp and log against FloatMath.exp and a double log; the row sum in another order
        for (int row = 0; row < rows; row++) {
            assertEquals(correctRef[row], correct.data()[row], "correct[" + row + "]");
            assertTrue(Math.abs(lossRef[row] - losses.data()[row]) <= 1e-5f * Math.max(1f, lossRef[row]),
                    "losses[" + row + "]: portable " + lossRef[row] + ", device " + losses.data()[row]);
        }
        for (int i = 0; i < rows * V; i++) {
            assertTrue(Math.abs(probsRef[i] - probs.data()[i]) <= 1e-5f * probsRef[i] + 1e-9f,
                    "probs[" + i + "]: portable " + probsRef[i] + ", device " + probs.data()[i]);
            assertTrue(Math.abs(dlogitsRef[i] - dlogits.data()[i]) <= 1e-7f,
                    "dlogits[" + i + "]: portable " + dlogitsRef[i] + ", device " + dlogits.data()[i]);
        }
    }
}
