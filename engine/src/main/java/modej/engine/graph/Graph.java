package modej.engine.graph;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A task graph: named tasks over named buffers, recorded once for a shape and executed many times
 * by a backend. Tasks run in recording order; each sees everything earlier tasks wrote.
 *
 * <pre>{@code
 * Graph g = new Graph("l0.forward");
 * g.task("l0.ln1", LayerNorm.class, "forward", B * T, out, mean, rstd, inp, params, wOff, bOff, C);
 * }</pre>
 */
public final class Graph {

    private final String name;
    private final List<Task> tasks = new ArrayList<>();
    private final Set<String> taskNames = new HashSet<>();

    public Graph(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public List<Task> tasks() {
        return List.copyOf(tasks);
    }

    /** Every buffer some task of this graph uses, in first-use order. */
    public List<Buffer> buffers() {
        Set<Buffer> seen = new LinkedHashSet<>();
        for (Task t : tasks) {
            seen.addAll(t.buffers());
        }
        return List.copyOf(seen);
    }

    /**
     * Records {@code kernel.method(args…, offset, count)} over a parallel range of {@code work}.
     * The method is found by name and checked against the arguments now, so a wrong recording
     * fails here and not in the middle of training.
     */
    public Graph task(String taskName, Class<?> kernel, String method, int work, Object... args) {
        if (!taskNames.add(taskName)) {
            throw new IllegalArgumentException("graph " + name + ": task name '" + taskName + "' used twice");
        }
        if (work < 0) {
            throw new IllegalArgumentException("graph " + name + ", task " + taskName + ": work " + work + " < 0");
        }
        tasks.add(new Task(taskName, findKernel(kernel, method, args.length + 2, taskName), Arrays.asList(args), work));
        checkArguments(tasks.get(tasks.size() - 1));
        return this;
    }

    /** Appends all tasks of another graph (names must stay unique). */
    public Graph append(Graph other) {
        for (Task t : other.tasks) {
            if (!taskNames.add(t.name())) {
                throw new IllegalArgumentException("graph " + name + ": task name '" + t.name() + "' used twice");
            }
            tasks.add(t);
        }
        return this;
    }

    private Method findKernel(Class<?> kernel, String method, int arity, String taskName) {
        for (Method m : kernel.getMethods()) {
            if (m.getName().equals(method) && m.getParameterCount() == arity
                    && Modifier.isStatic(m.getModifiers()) && m.getReturnType() == void.class) {
                return m;
            }
        }
        throw new IllegalArgumentException("graph " + name + ", task " + taskName + ": no kernel "
                + kernel.getSimpleName() + "." + method + " with " + arity + " parameters (args + offset, count)");
    }

    private void checkArguments(Task t) {
        Class<?>[] types = t.kernel().getParameterTypes();
        for (int i = 0; i < types.length - 2; i++) {
            Object a = t.args().get(i);
            boolean ok = switch (a) {
                case Buffer.F32 f -> types[i] == float[].class;
                case Buffer.I32 n -> types[i] == int[].class;
                case Integer n -> types[i] == int.class;
                case Float f -> types[i] == float.class;
                case null, default -> false;
            };
            if (!ok) {
                throw new IllegalArgumentException("graph " + name + ", task " + t.name() + ": argument " + i + " of "
                        + t.kernelName() + " is " + a + " but the parameter is " + types[i].getSimpleName());
            }
        }
        if (types[types.length - 1] != int.class || types[types.length - 2] != int.class) {
            throw new IllegalArgumentException(t.kernelName() + " must end with (int offset, int count)");
        }
    }

    @Override
    public String toString() {
        return "Graph " + name + " (" + tasks.size() + " tasks)";
    }
}
