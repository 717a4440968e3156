package modej.engine.graph;

import java.io.Serializable;
import java.lang.invoke.MethodHandleInfo;
import java.lang.invoke.MethodType;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/**
 * The kernels a task can name, as method references: {@code KernelN} is a kernel with N leading
 * parameters (the task's arguments) followed by {@code (int offset, int count)}. The type
 * parameters are the kernel's parameter types, so in
 * {@code g.task("ln1", rows, LayerNorm::forward, out, mean, rstd, inp, params, i32(wOff), i32(bOff), i32(C))}
 * javac checks the kernel's name, its arity and every argument, and an IDE follows the call to the
 * kernel. Up to 18 leading parameters: TornadoVM takes kernels of at most 20.
 *
 * <p>The interfaces are {@link Serializable} only so that {@link #method} can recover the kernel's
 * {@link Method} from a method reference (backends need it: the JVM backend invokes it, the
 * TornadoVM backend hands it to TornadoVM). Nothing is ever serialised.
 */
public final class Kernels {

    private Kernels() {
    }

    /**
     * The static method a kernel method reference ({@code Matmul::forward}) names. Read from the
     * {@link SerializedLambda} that javac and the JDK give every serialisable lambda; a lambda
     * expression, an instance method or a constructor is refused.
     */
    public static Method method(Serializable reference) {
        SerializedLambda s;
        try {
            Method writeReplace = reference.getClass().getDeclaredMethod("writeReplace");
            writeReplace.setAccessible(true);
            s = (SerializedLambda) writeReplace.invoke(reference);
        } catch (ReflectiveOperationException | ClassCastException | SecurityException e) {
            throw new IllegalArgumentException(reference + " is not a method reference to a kernel", e);
        }
        String name = s.getImplClass().replace('/', '.') + "." + s.getImplMethodName();
        if (s.getImplMethodKind() != MethodHandleInfo.REF_invokeStatic || s.getImplMethodName().startsWith("lambda$")) {
            throw new IllegalArgumentException("a task names its kernel by a method reference to a static method "
                    + "(Kernel::method), not by a lambda or an instance method; got " + name);
        }
        try {
            ClassLoader loader = reference.getClass().getClassLoader();
            Class<?> owner = Class.forName(s.getImplClass().replace('/', '.'), false, loader);
            MethodType type = MethodType.fromMethodDescriptorString(s.getImplMethodSignature(), owner.getClassLoader());
            Method m = owner.getDeclaredMethod(s.getImplMethodName(), type.parameterArray());
            if (!Modifier.isPublic(m.getModifiers()) || !Modifier.isPublic(owner.getModifiers())
                    || m.getReturnType() != void.class) {
                throw new IllegalArgumentException("kernel " + name + " must be a public static void method of a public class");
            }
            return m;
        } catch (ClassNotFoundException | NoSuchMethodException | TypeNotPresentException e) {
            throw new IllegalArgumentException("cannot find kernel " + name, e);
        }
    }

    @FunctionalInterface
    public interface Kernel1<A> extends Serializable {
        void run(A a, int offset, int count);
    }

    @FunctionalInterface
    public interface Kernel2<A, B> extends Serializable {
        void run(A a, B b, int offset, int count);
    }

    @FunctionalInterface
    public interface Kernel3<A, B, C> extends Serializable {
        void run(A a, B b, C c, int offset, int count);
    }

    @FunctionalInterface
    public interface Kernel4<A, B, C, D> extends Serializable {
        void run(A a, B b, C c, D d, int offset, int count);
    }

    @FunctionalInterface
    public interface Kernel5<A, B, C, D, E> extends Serializable {
        void run(A a, B b, C c, D d, E e, int offset, int count);
    }

    @FunctionalInterface
    public interface Kernel6<A, B, C, D, E, F> extends Serializable {
        void run(A a, B b, C c, D d, E e, F f, int offset, int count);
    }

    @FunctionalInterface
    public interface Kernel7<A, B, C, D, E, F, G> extends Serializable {
        void run(A a, B b, C c, D d, E e, F f, G g, int offset, int count);
    }

    @FunctionalInterface
    public interface Kernel8<A, B, C, D, E, F, G, H> extends Serializable {
        void run(A a, B b, C c, D d, E e, F f, G g, H h, int offset, int count);
    }

    @FunctionalInterface
    public interface Kernel9<A, B, C, D, E, F, G, H, I> extends Serializable {
        void run(A a, B b, C c, D d, E e, F f, G g, H h, I i, int offset, int count);
    }

    @FunctionalInterface
    public interface Kernel10<A, B, C, D, E, F, G, H, I, J> extends Serializable {
        void run(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, int offset, int count);
    }

    @FunctionalInterface
    public interface Kernel11<A, B, C, D, E, F, G, H, I, J, K> extends Serializable {
        void run(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, int offset, int count);
    }

    @FunctionalInterface
    public interface Kernel12<A, B, C, D, E, F, G, H, I, J, K, L> extends Serializable {
        void run(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l, int offset, int count);
    }

    @FunctionalInterface
    public interface Kernel13<A, B, C, D, E, F, G, H, I, J, K, L, M> extends Serializable {
        void run(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l, M m, int offset, int count);
    }

    @FunctionalInterface
    public interface Kernel14<A, B, C, D, E, F, G, H, I, J, K, L, M, N> extends Serializable {
        void run(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l, M m, N n, int offset, int count);
    }

    @FunctionalInterface
    public interface Kernel15<A, B, C, D, E, F, G, H, I, J, K, L, M, N, O> extends Serializable {
        void run(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l, M m, N n, O o, int offset, int count);
    }

    @FunctionalInterface
    public interface Kernel16<A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P> extends Serializable {
        void run(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l, M m, N n, O o, P p, int offset,
                int count);
    }

    @FunctionalInterface
    public interface Kernel17<A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q> extends Serializable {
        void run(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l, M m, N n, O o, P p, Q q, int offset,
                int count);
    }

    @FunctionalInterface
    public interface Kernel18<A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q, R> extends Serializable {
        void run(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l, M m, N n, O o, P p, Q q, R r,
                int offset, int count);
    }
}
