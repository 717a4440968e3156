package modej.engine.tornado;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.function.Function;

import modej.engine.kernel.AdamW;
import modej.engine.kernel.Attention;
import modej.engine.kernel.CrossEntropy;
import modej.engine.kernel.GradNorm;
import modej.engine.kernel.LayerNorm;
import modej.engine.kernel.Matmul;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.WorkerGrid2D;

/**
 * Which portable kernels the TornadoVM backend replaces on the device, by what, over which grid:
 * {@link Matmul}'s four kernels by {@link TiledMatmul}'s, {@link Attention#forward} and
 * {@link Attention#backwardScores} and {@link Attention#backwardInput} by {@link DeviceAttention}'s,
 * {@link LayerNorm}'s three by {@link DeviceLayerNorm}'s, {@link CrossEntropy}'s two by
 * {@link DeviceCrossEntropy}'s, {@link AdamW#update} by {@link DeviceAdamW}'s (float math),
 * {@link GradNorm#sumsOfSquares} by {@link DeviceGradNorm}'s (same arguments, same results). Everything else runs as recorded. {@code -D}{@value #PROPERTY}{@code =false}
 * turns the replacement off (the portable kernels then run on the device, e.g. to compare).
 */
final class DeviceKernels {

    static final String PROPERTY = "modej.tornado.deviceKernels";

    /** A device kernel (its first parameter a {@link KernelContext}) and the grid it runs over. */
    record Substitute(Method kernel, Object[] args, WorkerGrid grid) {
    }

    /** The device kernel's class and the grid it runs over, from the portable kernel's arguments. */
    private record Replacement(Class<?> device, Function<Object[], WorkerGrid> grid) {
    }

    /**
     * By portable kernel; the numbers are positions in its argument list (offset and count are the
     * last two). The matmuls run over output blocks, (x, y) = forward (OC, count), backwardInput
     * (C, count), backwardParams (C, count); attention's forward and score gradient run one work-group
     * per query row (count), its input gradient over blocks of positions × channels; LayerNorm's
     * forward and input gradient one work-group per row, its weight gradient channels × row lanes;
     * CrossEntropy one work-group per row; AdamW one work-item per element; the gradient norm's
     * sums one work-group per chunk.
     */
    private static final Map<Method, Replacement> REPLACEMENTS = Map.ofEntries(
            Map.entry(method(Matmul.class, "forward"), tiles(6, 8)),
            Map.entry(method(Matmul.class, "forwardAccumulate"), tiles(5, 7)),
            Map.entry(method(Matmul.class, "backwardInput"), tiles(4, 7)),
            Map.entry(method(Matmul.class, "backwardParams"), tiles(6, 9)),
            Map.entry(method(Attention.class, "forward"), rows(DeviceAttention.class, DeviceAttention.LANES, 7)),
            Map.entry(method(Attention.class, "backwardScores"), rows(DeviceAttention.class, DeviceAttention.LANES, 8)),
            Map.entry(method(Attention.class, "backwardInput"),
                    new Replacement(DeviceAttention.class, DeviceKernels::attentionTiles)),
            Map.entry(method(LayerNorm.class, "forward"), rows(DeviceLayerNorm.class, DeviceLayerNorm.LANES, 9)),
            Map.entry(method(LayerNorm.class, "backwardInput"), rows(DeviceLayerNorm.class, DeviceLayerNorm.LANES, 9)),
            Map.entry(method(LayerNorm.class, "backwardParams"),
                    new Replacement(DeviceLayerNorm.class, DeviceKernels::channelLanes)),
            Map.entry(method(CrossEntropy.class, "forward"), rows(DeviceCrossEntropy.class, DeviceCrossEntropy.LANES, 7)),
            Map.entry(method(CrossEntropy.class, "backward"), rows(DeviceCrossEntropy.class, DeviceCrossEntropy.LANES, 6)),
            Map.entry(method(AdamW.class, "update"), new Replacement(DeviceAdamW.class, DeviceKernels::elements)),
            Map.entry(method(GradNorm.class, "sumsOfSquares"), rows(DeviceGradNorm.class, DeviceGradNorm.LANES, 5)));

    private static Replacement tiles(int x, int y) {
        return new Replacement(TiledMatmul.class, a -> {
            WorkerGrid grid = new WorkerGrid2D(workItems((Integer) a[x]), workItems((Integer) a[y]));
            grid.setLocalWork(TiledMatmul.THREADS, TiledMatmul.THREADS, 1);
            return grid;
        });
    }

    /** One work-group of {@code lanes} work-items per row; the row count at argument {@code count}. */
    private static Replacement rows(Class<?> device, int lanes, int count) {
        return new Replacement(device, a -> {
            WorkerGrid grid = new WorkerGrid1D((Integer) a[count] * lanes);
            grid.setLocalWork(lanes, 1, 1);
            return grid;
        });
    }

    /**
     * {@link DeviceAttention#backwardInput}'s grid from Attention.backwardInput's arguments (T, C,
     * NH at 5-7, offset and count at 8-9): x over the head's channels in blocks, y over the blocks
     * of positions of every head that rows [offset, offset + count) touch.
     */
    static WorkerGrid attentionTiles(Object[] a) {
        int T = (Integer) a[5];
        int hs = (Integer) a[6] / (Integer) a[7];
        int offset = (Integer) a[8];
        int count = (Integer) a[9];
        int heads = (offset + count - 1) / T - offset / T + 1;
        WorkerGrid grid = new WorkerGrid2D(workItems(hs), heads * workItems(T));
        grid.setLocalWork(TiledMatmul.THREADS, TiledMatmul.THREADS, 1);
        return grid;
    }

    /**
     * {@link DeviceLayerNorm#backwardParams}'s grid from LayerNorm.backwardParams' arguments (count
     * channels at 10): work-groups of LANES channels × ROW_LANES row lanes.
     */
    static WorkerGrid channelLanes(Object[] a) {
        int channels = (Integer) a[10];
        int groups = (channels + DeviceLayerNorm.LANES - 1) / DeviceLayerNorm.LANES;
        WorkerGrid grid = new WorkerGrid2D(groups * DeviceLayerNorm.LANES, DeviceLayerNorm.ROW_LANES);
        grid.setLocalWork(DeviceLayerNorm.LANES, DeviceLayerNorm.ROW_LANES, 1);
        return grid;
    }

    /** {@link DeviceAdamW#update}'s grid: one work-item per element (count at 12), whole work-groups. */
    static WorkerGrid elements(Object[] a) {
        int count = (Integer) a[12];
        WorkerGrid grid = new WorkerGrid1D((count + DeviceAdamW.GROUP - 1) / DeviceAdamW.GROUP * DeviceAdamW.GROUP);
        grid.setLocalWork(DeviceAdamW.GROUP, 1, 1);
        return grid;
    }

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
        Replacement r = enabled() ? REPLACEMENTS.get(portable) : null;
        if (r == null) {
            return null;
        }
        Object[] withContext = new Object[args.length + 1];
        withContext[0] = new KernelContext();
        System.arraycopy(args, 0, withContext, 1, args.length);
        return new Substitute(device(r.device(), portable), withContext, r.grid().apply(args));
    }

    /** Work-items along an output extent of n: one per {@link TiledMatmul#PER} outputs, whole work-groups. */
    private static int workItems(int n) {
        return (n + TiledMatmul.BLOCK - 1) / TiledMatmul.BLOCK * TiledMatmul.THREADS;
    }

    private static Method method(Class<?> kernels, String name) {
        for (Method m : kernels.getMethods()) {
            if (m.getName().equals(name)) {
                return m;
            }
        }
        throw new IllegalStateException(kernels.getSimpleName() + " has no kernel " + name);
    }

    /** The method of {@code device} named as {@code portable}, taking a KernelContext, then its parameters. */
    private static Method device(Class<?> device, Method portable) {
        Class<?>[] types = new Class<?>[portable.getParameterCount() + 1];
        types[0] = KernelContext.class;
        System.arraycopy(portable.getParameterTypes(), 0, types, 1, portable.getParameterCount());
        try {
            return device.getMethod(portable.getName(), types);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(device.getSimpleName() + "." + portable.getName() + " must take a KernelContext, then "
                    + portable.getDeclaringClass().getSimpleName() + "." + portable.getName() + "'s parameters", e);
        }
    }
}
