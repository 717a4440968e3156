package modej.engine.tornado;

import uk.ac.manchester.tornado.api.KernelContext;

/** The sum over a work-group's lanes, for the device kernels that share a row among lanes. */
final class LocalSums {

    private LocalSums() {
    }

    /**
     * Σ of every lane's {@code v} over {@code lanes} lanes (a power of two), by a tree in the local
     * array {@code red} (at least {@code lanes} long), returned to every lane; {@code red} may be
     * written again as soon as this returns.
     */
    static float sum(KernelContext kc, float[] red, int lane, int lanes, float v) {
        red[lane] = v;
        for (int half = lanes / 2; half > 0; half /= 2) {
            kc.localBarrier();
            if (lane < half) {
                red[lane] += red[lane + half];
            }
        }
        kc.localBarrier();
        float total = red[0];
        kc.localBarrier(); // every lane has read it before red is written again
        return total;
    }
}
