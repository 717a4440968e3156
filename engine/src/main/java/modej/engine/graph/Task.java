package modej.engine.graph;

import java.lang.reflect.Method;
import java.util.List;

/**
 * One kernel call: a name, the kernel's static method, and its arguments (buffers and scalars)
 * in the method's parameter order, without the trailing {@code offset, count} pair. The kernel's
 * parallel loop runs over {@code [0, work)}; a backend splits that range or hands it whole to a
 * device. A TornadoVM backend turns this one to one into {@code TaskGraph.task(name, Kernel::method,
 * args…, 0, work)}.
 *
 * @param name   unique within its graph, e.g. {@code "l3.attn.forward"}
 * @param kernel a {@code public static void} kernel method whose last two parameters are
 *               {@code int offset, int count}
 * @param args   {@link Buffer}s, {@link Integer}s and {@link Float}s, one per leading parameter
 * @param work   the size of the parallel loop
 */
public record Task(String name, Method kernel, List<Object> args, int work) {

    public Task {
        args = List.copyOf(args);
    }

    /** The buffers this task passes, in argument order. */
    public List<Buffer> buffers() {
        return args.stream().filter(Buffer.class::isInstance).map(Buffer.class::cast).toList();
    }

    /** {@code Kernel.method}, for messages and profiles. */
    public String kernelName() {
        return kernel.getDeclaringClass().getSimpleName() + "." + kernel.getName();
    }
}
