package modej.engine.tornado;

import java.lang.invoke.CallSite;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import uk.ac.manchester.tornado.api.TaskGraph;

/**
 * Adds a recorded kernel call to a TornadoVM task graph, for any kernel and arity.
 *
 * <p>TornadoVM takes a task as an instance of {@code TornadoFunctions.TaskN} and finds the method
 * to compile by reading the bytecode of that instance's {@code apply}: the first
 * {@code invokestatic} in it is the kernel. A method reference such as {@code Matmul::forward}
 * compiles to a {@code LambdaMetafactory} call site whose generated {@code apply} casts and
 * unboxes its arguments and then calls the kernel with {@code invokestatic}. This class makes
 * the same call to {@code LambdaMetafactory} with a direct handle to the kernel {@link Method}, so
 * TornadoVM sees exactly what it would see for a method reference written in source, and compiles
 * the very kernel the JVM backend runs. (A lambda that called a {@code MethodHandle} would show
 * TornadoVM {@code invokeExact}, which it cannot compile.)
 */
final class KernelTasks {

    /** TornadoVM 5.2 has task interfaces {@code Task1} to {@code Task20}. */
    static final int MAX_PARAMETERS = 20;

    private static final String TASK_INTERFACE = "uk.ac.manchester.tornado.api.common.TornadoFunctions$Task";
    private static final Map<Method, Object> FUNCTIONS = new ConcurrentHashMap<>();
    private static final Map<Integer, Method> ADD_TASK = new ConcurrentHashMap<>();

    private KernelTasks() {
    }

    /** {@code graph.task(id, Kernel::method, args…)} with the kernel named by a {@link Method}. */
    static void add(TaskGraph graph, String id, Method kernel, Object[] args) {
        int n = kernel.getParameterCount();
        if (args.length != n) {
            throw new IllegalArgumentException(id + ": " + args.length + " arguments for " + n + " parameters");
        }
        Object[] call = new Object[n + 2];
        call[0] = id;
        call[1] = FUNCTIONS.computeIfAbsent(kernel, KernelTasks::function);
        System.arraycopy(args, 0, call, 2, n);
        try {
            ADD_TASK.computeIfAbsent(n, KernelTasks::taskMethod).invoke(graph, call);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The {@code TaskN} instance whose {@code apply} calls {@code kernel}. */
    private static Object function(Method kernel) {
        int n = kernel.getParameterCount();
        if (n < 1 || n > MAX_PARAMETERS) {
            throw new IllegalArgumentException("TornadoVM takes kernels of 1 to " + MAX_PARAMETERS + " parameters; "
                    + kernel.getDeclaringClass().getSimpleName() + "." + kernel.getName() + " has " + n);
        }
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            MethodHandle impl = lookup.unreflect(kernel);
            Class<?> task = Class.forName(TASK_INTERFACE + n);
            MethodType erased = MethodType.genericMethodType(n).changeReturnType(void.class);
            MethodType instantiated = impl.type().wrap().changeReturnType(void.class);
            CallSite site = LambdaMetafactory.metafactory(lookup, "apply", MethodType.methodType(task), erased, impl,
                    instantiated);
            return site.getTarget().invoke();
        } catch (Throwable e) {
            throw new IllegalStateException("cannot make a TornadoVM task of " + kernel, e);
        }
    }

    /** {@code TaskGraph.task(String, TaskN, Object × n)}, the overload for arity n. */
    private static Method taskMethod(int n) {
        try {
            Class<?>[] types = new Class<?>[n + 2];
            types[0] = String.class;
            types[1] = Class.forName(TASK_INTERFACE + n);
            Arrays.fill(types, 2, n + 2, Object.class);
            return TaskGraph.class.getMethod("task", types);
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            throw new IllegalStateException("this TornadoVM has no TaskGraph.task for " + n + " parameters", e);
        }
    }
}
