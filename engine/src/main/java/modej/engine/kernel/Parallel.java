package modej.engine.kernel;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the loop variable of a kernel's parallel loop. The JVM backend ignores it (it splits work
 * through each kernel's {@code offset, count} arguments); TornadoVM is pointed at this class with
 * {@code -Dtornado.load.annotation.parallel=modej.engine.kernel.Parallel}.
 *
 * <p>{@code TYPE_USE} is what puts it into the class file: javac drops declaration annotations on
 * local variables, and keeps type annotations on them (as {@code RuntimeVisibleTypeAnnotations}
 * with a local-variable target), which is where TornadoVM's class-file reader looks for it.
 * Without it every kernel compiles, but runs on a single device thread.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.LOCAL_VARIABLE, ElementType.PARAMETER, ElementType.TYPE_USE})
public @interface Parallel {
}
