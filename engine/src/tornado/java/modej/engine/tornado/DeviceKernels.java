package modej.engine.tornado;

import java.lang.reflect.Method;
import java.util.Map;

import modej.engine.kernel.Matmul;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.WorkerGrid2D;

/**
 * Which portable kernels the TornadoVM backend replaces on the device, by what, over which grid:
 * {@link Matmul}'s four kernels by {@link TiledMatmul}'s (same arguments, same results, work-group
 * local memory). Everything else runs as recorded. {@code -D}{@value #PROPERTY}{@code =false}
 * turns the replacement off (the portable kernels then run on the device, e.g. to compare).
 */
final class DeviceKernels {

    static final String PROPERTY = "modej.tornado.tiled";

    /** A device kernel (its first parameter a {@link KernelContext}) and the grid it runs over. */
    record Substitute(Method kernel, Object[] args, WorkerGrid grid) {
    }

    /** Which of a portable kernel's arguments give the grid's x and y extents. */
    private record Shape(String name, int x, int y) {
    }

    /**
     * By portable kernel: the grid is (x, y) = the arguments at those positions (offset and count
     * are the last two): forward (o over OC, row over count), backwardInput (c over C, row over
     * count), backwardParams (c over C, o over count).
     */
    private static final Map<Method, Shape> SHAPES = Map.of(
            method("forward"), new Shape("forward", 6, 8),
            method("forwardAccumulate"), new Shape("forwardAccumulate", 5, 7),
            method("backwardInput"), new Shape("backwardInput", 4, 7),
            method("backwardParams"), new Shape("backwardParams", 6, 9));

    private DeviceKernels() {
    }

    static boolean enabled() {
        return !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true").trim());
    }

    /**
     * The device kernel to run for {@code portable} with {@code args} (the portable kernel's
     * arguments as TornadoVM takes them, offset and count included), or null to run it as is.
     */
    static Substitute of(Method portable, Object[] args) {
        Shape s = enabled() ? SHAPES.get(portable) : null;
        if (s == null) {
            return null;
        }
        Object[] withContext = new Object[args.length + 1];
        withContext[0] = new KernelContext();
        System.arraycopy(args, 0, withContext, 1, args.length);
        WorkerGrid grid = new WorkerGrid2D(workItems((Integer) args[s.x()]), workItems((Integer) args[s.y()]));
        grid.setLocalWork(TiledMatmul.THREADS, TiledMatmul.THREADS, 1);
        return new Substitute(tiled(s.name(), portable.getParameterTypes()), withContext, grid);
    }

    /** Work-items along an output extent of n: one per {@link TiledMatmul#PER} outputs, whole work-groups. */
    private static int workItems(int n) {
        return (n + TiledMatmul.BLOCK - 1) / TiledMatmul.BLOCK * TiledMatmul.THREADS;
    }

    private static Method method(String name) {
        for (Method m : Matmul.class.getMethods()) {
            if (m.getName().equals(name)) {
                return m;
            }
        }
        throw new IllegalStateException("Matmul has no kernel " + name);
    }

    private static Method tiled(String name, Class<?>[] portable) {
        Class<?>[] types = new Class<?>[portable.length + 1];
        types[0] = KernelContext.class;
        System.arraycopy(portable, 0, types, 1, portable.length);
        try {
            return TiledMatmul.class.getMethod(name, types);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("TiledMatmul." + name + " must take a KernelContext, then Matmul." + name
                    + "'s parameters", e);
        }
    }
}
