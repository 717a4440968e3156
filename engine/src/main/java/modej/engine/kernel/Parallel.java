package modej.engine.kernel;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the loop variable of a kernel's parallel loop. The JVM backend ignores it (it splits work
 * through each kernel's {@code offset, count} arguments); TornadoVM is pointed at this class with
 * {@code -Dtornado.load.annotation.parallel=modej.engine.kernel.Parallel}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.LOCAL_VARIABLE, ElementType.PARAMETER})
public @interface Parallel {
}
