package modej.engine.tornado;

import static modej.engine.graph.Arg.i32;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.engine.kernel.GradNorm;

/**
 * {@link DeviceGradNorm}, which the TornadoVM backend runs on the device in place of
 * {@link GradNorm#sumsOfSquares}, against the portable kernel run here on the JVM (itself checked
 * against a double reference in {@code GradNormTest}), with a short last chunk and sums written
 * from an offset; the partials around them must stay as they were.
 */
@Tag("tornado")
class DeviceGradNormTest {

    @ParameterizedTest(name = "n {0}")
    @CsvSource({"5", "1024", "3149", "10000"})
    void sumsOfSquaresMatchThePortableKernel(int n) {
        SplittableRandom r = new SplittableRandom(n);
        int chunks = (n + GradNorm.CHUNK - 1) / GradNorm.CHUNK, pOff = 3;
        Buffer.F32 grads = DeviceTests.random("grads", n, r, 2.0);
        Buffer.F32 partials = DeviceTests.random("partials", pOff + chunks + 2, r, 1.0);
        float[] before = partials.data().clone(), ref = before.clone();
        GradNorm.sumsOfSquares(ref, pOff, grads.data(), n, 0, chunks);

        Graph g = new Graph("grad-norm").task("sumsq", chunks, GradNorm::sumsOfSquares, partials, i32(pOff), grads, i32(n));
        DeviceTests.assertReplaced(g.tasks().get(0));
        try (TornadoBackend be = new TornadoBackend()) {
            be.compile(g).run();
            be.toHost(partials);
        }
        for (int i = 0; i < ref.length; i++) {
            if (i < pOff || i >= pOff + chunks) {
                assertEquals(before[i], partials.data()[i], "partials[" + i + "] is outside the task");
            } else { // sums of up to CHUNK positive terms in another order
                assertEquals(ref[i], partials.data()[i], 1e-5 * ref[i], "partials[" + i + "]");
            }
        }
    }
}
