package modej.engine.graph;

import java.io.Serializable;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import modej.engine.graph.Kernels.Kernel1;
import modej.engine.graph.Kernels.Kernel10;
import modej.engine.graph.Kernels.Kernel11;
import modej.engine.graph.Kernels.Kernel12;
import modej.engine.graph.Kernels.Kernel13;
import modej.engine.graph.Kernels.Kernel14;
import modej.engine.graph.Kernels.Kernel15;
import modej.engine.graph.Kernels.Kernel16;
import modej.engine.graph.Kernels.Kernel17;
import modej.engine.graph.Kernels.Kernel18;
import modej.engine.graph.Kernels.Kernel2;
import modej.engine.graph.Kernels.Kernel3;
import modej.engine.graph.Kernels.Kernel4;
import modej.engine.graph.Kernels.Kernel5;
import modej.engine.graph.Kernels.Kernel6;
import modej.engine.graph.Kernels.Kernel7;
import modej.engine.graph.Kernels.Kernel8;
import modej.engine.graph.Kernels.Kernel9;

/**
 * A task graph: named tasks over named buffers, recorded once for a shape and executed many times
 * by a backend. Tasks run in recording order; each sees everything earlier tasks wrote.
 *
 * <p>A task names its kernel by a method reference, followed by the kernel's arguments except the
 * trailing {@code (offset, count)}: buffers as they are, {@code int}s and {@code float}s through
 * {@link Arg#i32} and {@link Arg#f32}. javac checks the kernel's name, its arity and every
 * argument's type; an IDE jumps from the call to the kernel.
 *
 * <pre>{@code
 * import static modej.engine.graph.Arg.i32;
 *
 * Graph g = new Graph("l0.forward");
 * //     name      parallel range  kernel              out, mean, rstd, inp, params, wOff, bOff, C
 * g.task("l0.ln1", B * T,          LayerNorm::forward, out, mean, rstd, inp, params, i32(wOff), i32(bOff), i32(C));
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

    // Graph.task(name, work, Kernel::method, args…): records kernel(args…, offset, count) over the
    // parallel range [0, work). One overload per number of kernel arguments.

    public <A> Graph task(String taskName, int work, Kernel1<A> kernel, Arg<A> a) {
        return record(taskName, work, kernel, a);
    }

    public <A, B> Graph task(String taskName, int work, Kernel2<A, B> kernel, Arg<A> a, Arg<B> b) {
        return record(taskName, work, kernel, a, b);
    }

    public <A, B, C> Graph task(String taskName, int work, Kernel3<A, B, C> kernel, Arg<A> a, Arg<B> b, Arg<C> c) {
        return record(taskName, work, kernel, a, b, c);
    }

    public <A, B, C, D> Graph task(String taskName, int work, Kernel4<A, B, C, D> kernel, Arg<A> a, Arg<B> b,
            Arg<C> c, Arg<D> d) {
        return record(taskName, work, kernel, a, b, c, d);
    }

    public <A, B, C, D, E> Graph task(String taskName, int work, Kernel5<A, B, C, D, E> kernel, Arg<A> a, Arg<B> b,
            Arg<C> c, Arg<D> d, Arg<E> e) {
        return record(taskName, work, kernel, a, b, c, d, e);
    }

    public <A, B, C, D, E, F> Graph task(String taskName, int work, Kernel6<A, B, C, D, E, F> kernel, Arg<A> a,
            Arg<B> b, Arg<C> c, Arg<D> d, Arg<E> e, Arg<F> f) {
        return record(taskName, work, kernel, a, b, c, d, e, f);
    }

    public <A, B, C, D, E, F, G> Graph task(String taskName, int work, Kernel7<A, B, C, D, E, F, G> kernel,
            Arg<A> a, Arg<B> b, Arg<C> c, Arg<D> d, Arg<E> e, Arg<F> f, Arg<G> g) {
        return record(taskName, work, kernel, a, b, c, d, e, f, g);
    }

    public <A, B, C, D, E, F, G, H> Graph task(String taskName, int work, Kernel8<A, B, C, D, E, F, G, H> kernel,
            Arg<A> a, Arg<B> b, Arg<C> c, Arg<D> d, Arg<E> e, Arg<F> f, Arg<G> g, Arg<H> h) {
        return record(taskName, work, kernel, a, b, c, d, e, f, g, h);
    }

    public <A, B, C, D, E, F, G, H, I> Graph task(String taskName, int work,
            Kernel9<A, B, C, D, E, F, G, H, I> kernel, Arg<A> a, Arg<B> b, Arg<C> c, Arg<D> d, Arg<E> e, Arg<F> f,
            Arg<G> g, Arg<H> h, Arg<I> i) {
        return record(taskName, work, kernel, a, b, c, d, e, f, g, h, i);
    }

    public <A, B, C, D, E, F, G, H, I, J> Graph task(String taskName, int work,
            Kernel10<A, B, C, D, E, F, G, H, I, J> kernel, Arg<A> a, Arg<B> b, Arg<C> c, Arg<D> d, Arg<E> e,
            Arg<F> f, Arg<G> g, Arg<H> h, Arg<I> i, Arg<J> j) {
        return record(taskName, work, kernel, a, b, c, d, e, f, g, h, i, j);
    }

    public <A, B, C, D, E, F, G, H, I, J, K> Graph task(String taskName, int work,
            Kernel11<A, B, C, D, E, F, G, H, I, J, K> kernel, Arg<A> a, Arg<B> b, Arg<C> c, Arg<D> d, Arg<E> e,
            Arg<F> f, Arg<G> g, Arg<H> h, Arg<I> i, Arg<J> j, Arg<K> k) {
        return record(taskName, work, kernel, a, b, c, d, e, f, g, h, i, j, k);
    }

    public <A, B, C, D, E, F, G, H, I, J, K, L> Graph task(String taskName, int work,
            Kernel12<A, B, C, D, E, F, G, H, I, J, K, L> kernel, Arg<A> a, Arg<B> b, Arg<C> c, Arg<D> d, Arg<E> e,
            Arg<F> f, Arg<G> g, Arg<H> h, Arg<I> i, Arg<J> j, Arg<K> k, Arg<L> l) {
        return record(taskName, work, kernel, a, b, c, d, e, f, g, h, i, j, k, l);
    }

    public <A, B, C, D, E, F, G, H, I, J, K, L, M> Graph task(String taskName, int work,
            Kernel13<A, B, C, D, E, F, G, H, I, J, K, L, M> kernel, Arg<A> a, Arg<B> b, Arg<C> c, Arg<D> d,
            Arg<E> e, Arg<F> f, Arg<G> g, Arg<H> h, Arg<I> i, Arg<J> j, Arg<K> k, Arg<L> l, Arg<M> m) {
        return record(taskName, work, kernel, a, b, c, d, e, f, g, h, i, j, k, l, m);
    }

    public <A, B, C, D, E, F, G, H, I, J, K, L, M, N> Graph task(String taskName, int work,
            Kernel14<A, B, C, D, E, F, G, H, I, J, K, L, M, N> kernel, Arg<A> a, Arg<B> b, Arg<C> c, Arg<D> d,
            Arg<E> e, Arg<F> f, Arg<G> g, Arg<H> h, Arg<I> i, Arg<J> j, Arg<K> k, Arg<L> l, Arg<M> m, Arg<N> n) {
        return record(taskName, work, kernel, a, b, c, d, e, f, g, h, i, j, k, l, m, n);
    }

    public <A, B, C, D, E, F, G, H, I, J, K, L, M, N, O> Graph task(String taskName, int work,
            Kernel15<A, B, C, D, E, F, G, H, I, J, K, L, M, N, O> kernel, Arg<A> a, Arg<B> b, Arg<C> c, Arg<D> d,
            Arg<E> e, Arg<F> f, Arg<G> g, Arg<H> h, Arg<I> i, Arg<J> j, Arg<K> k, Arg<L> l, Arg<M> m, Arg<N> n,
            Arg<O> o) {
        return record(taskName, work, kernel, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o);
    }

    public <A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P> Graph task(String taskName, int work,
            Kernel16<A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P> kernel, Arg<A> a, Arg<B> b, Arg<C> c, Arg<D> d,
            Arg<E> e, Arg<F> f, Arg<G> g, Arg<H> h, Arg<I> i, Arg<J> j, Arg<K> k, Arg<L> l, Arg<M> m, Arg<N> n,
            Arg<O> o, Arg<P> p) {
        return record(taskName, work, kernel, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p);
    }

    public <A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q> Graph task(String taskName, int work,
            Kernel17<A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q> kernel, Arg<A> a, Arg<B> b, Arg<C> c,
            Arg<D> d, Arg<E> e, Arg<F> f, Arg<G> g, Arg<H> h, Arg<I> i, Arg<J> j, Arg<K> k, Arg<L> l, Arg<M> m,
            Arg<N> n, Arg<O> o, Arg<P> p, Arg<Q> q) {
        return record(taskName, work, kernel, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q);
    }

    public <A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q, R> Graph task(String taskName, int work,
            Kernel18<A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q, R> kernel, Arg<A> a, Arg<B> b, Arg<C> c,
            Arg<D> d, Arg<E> e, Arg<F> f, Arg<G> g, Arg<H> h, Arg<I> i, Arg<J> j, Arg<K> k, Arg<L> l, Arg<M> m,
            Arg<N> n, Arg<O> o, Arg<P> p, Arg<Q> q, Arg<R> r) {
        return record(taskName, work, kernel, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r);
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

    /** Resolves the method reference once, now, and records the task with plain argument values. */
    private Graph record(String taskName, int work, Serializable kernel, Arg<?>... args) {
        Method m = Kernels.method(kernel);
        List<Object> values = new ArrayList<>(args.length);
        for (int i = 0; i < args.length; i++) {
            values.add(switch (args[i]) {
                case Buffer b -> b;
                case Arg.Int n -> n.value();
                case Arg.Real x -> x.value();
                case null -> throw new IllegalArgumentException("graph " + name + ", task " + taskName
                        + ": argument " + i + " is null");
            });
        }
        return add(taskName, m, values, work);
    }

    /**
     * Adds a task after checking it against its kernel, so that a wrong recording fails here and
     * not in the middle of training.
     */
    private Graph add(String taskName, Method kernel, List<Object> args, int work) {
        if (!taskNames.add(taskName)) {
            throw new IllegalArgumentException("graph " + name + ": task name '" + taskName + "' used twice");
        }
        if (work < 0) {
            throw new IllegalArgumentException("graph " + name + ", task " + taskName + ": work " + work + " < 0");
        }
        Task t = new Task(taskName, kernel, args, work);
        checkArguments(t);
        tasks.add(t);
        return this;
    }

    private void checkArguments(Task t) {
        Class<?>[] types = t.kernel().getParameterTypes();
        if (!Modifier.isStatic(t.kernel().getModifiers()) || types.length != t.args().size() + 2
                || types[types.length - 1] != int.class || types[types.length - 2] != int.class) {
            throw new IllegalArgumentException("graph " + name + ", task " + t.name() + ": " + t.kernelName()
                    + " must be static and end with (int offset, int count) after the task's " + t.args().size()
                    + " arguments");
        }
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
    }

    @Override
    public String toString() {
        return "Graph " + name + " (" + tasks.size() + " tasks)";
    }
}
