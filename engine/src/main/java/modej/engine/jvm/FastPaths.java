package modej.engine.jvm;

import java.io.Serializable;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import modej.engine.graph.Kernels;
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
import modej.engine.kernel.AdamW;
import modej.engine.kernel.Attention;
import modej.engine.kernel.CrossEntropy;
import modej.engine.kernel.Gate;
import modej.engine.kernel.Gelu;
import modej.engine.kernel.LayerNorm;
import modej.engine.kernel.Matmul;
import modej.engine.kernel.Residual;
import modej.engine.kernel.RoutedMatmul;
import modej.engine.kernel.Scale;

/**
 * The one list of Vector API fast paths: each portable kernel next to its vector twin, which
 * {@link JvmBackend} runs instead (unless vectors are off). Declared by method reference, so a
 * renamed kernel or twin, or a twin whose parameter types differ, is a compile error; what javac
 * lets through (an {@code int} against a {@code long}) fails when this class loads, that is when
 * the first {@link JvmBackend} is made. A kernel not listed here runs portable; each twin has a
 * test against its portable kernel ({@code <Kernel>VectorTest}).
 */
public final class FastPaths {

    /** A portable kernel and its vector twin, as method references. */
    record Twin(Serializable portable, Serializable vector) {
    }

    private static final List<Twin> TWINS = List.of(
            twin(Matmul::forward, MatmulVector::forward),
            twin(Matmul::forwardAccumulate, MatmulVector::forwardAccumulate),
            twin(Matmul::backwardInput, MatmulVector::backwardInput),
            twin(Matmul::backwardParams, MatmulVector::backwardParams),
            twin(RoutedMatmul::forward, RoutedMatmulVector::forward),
            twin(RoutedMatmul::backwardInput, RoutedMatmulVector::backwardInput),
            twin(RoutedMatmul::backwardParams, RoutedMatmulVector::backwardParams),
            twin(Attention::forward, AttentionVector::forward),
            twin(Attention::backwardScores, AttentionVector::backwardScores),
            twin(Attention::backwardInput, AttentionVector::backwardInput),
            twin(LayerNorm::forward, LayerNormVector::forward),
            twin(LayerNorm::backwardInput, LayerNormVector::backwardInput),
            twin(LayerNorm::backwardParams, LayerNormVector::backwardParams),
            twin(Gelu::forward, GeluVector::forward),
            twin(Gelu::backward, GeluVector::backward),
            twin(CrossEntropy::forward, CrossEntropyVector::forward),
            twin(CrossEntropy::backward, CrossEntropyVector::backward),
            twin(Residual::forward, ResidualVector::forward),
            twin(Residual::backward, ResidualVector::backward),
            twin(Scale::forward, ScaleVector::forward),
            twin(Scale::backward, ScaleVector::backward),
            twin(Gate::mixForward, GateVector::mixForward),
            twin(Gate::mixBackwardInput, GateVector::mixBackwardInput),
            twin(AdamW::update, AdamWVector::update),
            twin(AdamW::zeroGrad, AdamWVector::zeroGrad));

    /** Portable kernel → its twin, every pair checked. */
    private static final Map<Method, Method> BOUND = bind(TWINS);

    private FastPaths() {
    }

    /** The vector twin of {@code kernel}, or {@code kernel} itself where it has none. */
    public static Method of(Method kernel) {
        return BOUND.getOrDefault(kernel, kernel);
    }

    /** Every portable kernel → twin pair, in declaration order. */
    public static Map<Method, Method> all() {
        return BOUND;
    }

    /**
     * Resolves each pair and checks that the twin takes exactly the kernel's parameters, is static
     * and is declared once: any mismatch stops the backend from starting.
     */
    static Map<Method, Method> bind(List<Twin> twins) {
        Map<Method, Method> bound = new LinkedHashMap<>();
        for (Twin t : twins) {
            Method portable = Kernels.method(t.portable()), vector = Kernels.method(t.vector());
            String pair = name(portable) + " -> " + name(vector);
            if (!Arrays.equals(portable.getParameterTypes(), vector.getParameterTypes())) {
                throw new IllegalStateException("fast path " + pair + " does not bind: parameters "
                        + Arrays.toString(portable.getParameterTypes()) + " vs "
                        + Arrays.toString(vector.getParameterTypes()));
            }
            if (portable.equals(vector)) {
                throw new IllegalStateException("fast path " + pair + " names the kernel itself");
            }
            if (bound.put(portable, vector) != null) {
                throw new IllegalStateException("fast path of " + name(portable) + " declared twice");
            }
        }
        return Collections.unmodifiableMap(bound);
    }

    static String name(Method m) {
        return m.getDeclaringClass().getSimpleName() + "." + m.getName();
    }

    // twin(portable, vector): one overload per kernel arity, so that javac checks that both take
    // the same parameters.

    static <A> Twin twin(Kernel1<A> portable, Kernel1<A> vector) {
        return new Twin(portable, vector);
    }

    static <A, B> Twin twin(Kernel2<A, B> portable, Kernel2<A, B> vector) {
        return new Twin(portable, vector);
    }

    static <A, B, C> Twin twin(Kernel3<A, B, C> portable, Kernel3<A, B, C> vector) {
        return new Twin(portable, vector);
    }

    static <A, B, C, D> Twin twin(Kernel4<A, B, C, D> portable, Kernel4<A, B, C, D> vector) {
        return new Twin(portable, vector);
    }

    static <A, B, C, D, E> Twin twin(Kernel5<A, B, C, D, E> portable, Kernel5<A, B, C, D, E> vector) {
        return new Twin(portable, vector);
    }

    static <A, B, C, D, E, F> Twin twin(Kernel6<A, B, C, D, E, F> portable, Kernel6<A, B, C, D, E, F> vector) {
        return new Twin(portable, vector);
    }

    static <A, B, C, D, E, F, G> Twin twin(Kernel7<A, B, C, D, E, F, G> portable,
            Kernel7<A, B, C, D, E, F, G> vector) {
        return new Twin(portable, vector);
    }

    static <A, B, C, D, E, F, G, H> Twin twin(Kernel8<A, B, C, D, E, F, G, H> portable,
            Kernel8<A, B, C, D, E, F, G, H> vector) {
        return new Twin(portable, vector);
    }

    static <A, B, C, D, E, F, G, H, I> Twin twin(Kernel9<A, B, C, D, E, F, G, H, I> portable,
            Kernel9<A, B, C, D, E, F, G, H, I> vector) {
        return new Twin(portable, vector);
    }

    static <A, B, C, D, E, F, G, H, I, J> Twin twin(Kernel10<A, B, C, D, E, F, G, H, I, J> portable,
            Kernel10<A, B, C, D, E, F, G, H, I, J> vector) {
        return new Twin(portable, vector);
    }

    static <A, B, C, D, E, F, G, H, I, J, K> Twin twin(Kernel11<A, B, C, D, E, F, G, H, I, J, K> portable,
            Kernel11<A, B, C, D, E, F, G, H, I, J, K> vector) {
        return new Twin(portable, vector);
    }

    static <A, B, C, D, E, F, G, H, I, J, K, L> Twin twin(Kernel12<A, B, C, D, E, F, G, H, I, J, K, L> portable,
            Kernel12<A, B, C, D, E, F, G, H, I, J, K, L> vector) {
        return new Twin(portable, vector);
    }

    static <A, B, C, D, E, F, G, H, I, J, K, L, M> Twin twin(
            Kernel13<A, B, C, D, E, F, G, H, I, J, K, L, M> portable,
            Kernel13<A, B, C, D, E, F, G, H, I, J, K, L, M> vector) {
        return new Twin(portable, vector);
    }

    static <A, B, C, D, E, F, G, H, I, J, K, L, M, N> Twin twin(
            Kernel14<A, B, C, D, E, F, G, H, I, J, K, L, M, N> portable,
            Kernel14<A, B, C, D, E, F, G, H, I, J, K, L, M, N> vector) {
        return new Twin(portable, vector);
    }

    static <A, B, C, D, E, F, G, H, I, J, K, L, M, N, O> Twin twin(
            Kernel15<A, B, C, D, E, F, G, H, I, J, K, L, M, N, O> portable,
            Kernel15<A, B, C, D, E, F, G, H, I, J, K, L, M, N, O> vector) {
        return new Twin(portable, vector);
    }

    static <A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P> Twin twin(
            Kernel16<A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P> portable,
            Kernel16<A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P> vector) {
        return new Twin(portable, vector);
    }

    static <A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q> Twin twin(
            Kernel17<A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q> portable,
            Kernel17<A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q> vector) {
        return new Twin(portable, vector);
    }

    static <A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q, R> Twin twin(
            Kernel18<A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q, R> portable,
            Kernel18<A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q, R> vector) {
        return new Twin(portable, vector);
    }
}
