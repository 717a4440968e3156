package modej.engine.graph;

import static modej.engine.graph.Arg.f32;
import static modej.engine.graph.Arg.i32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import modej.engine.kernel.AdamW;
import modej.engine.kernel.LayerNorm;
import modej.engine.kernel.Scale;

/** Tasks named by method reference: the kernel recovered, arguments checked, mistakes refused. */
class GraphTest {

    /** Not a kernel: an instance method with a kernel's shape. */
    public void instanceKernel(float[] out, int offset, int count) {
    }

    @Test
    void aMethodReferenceRecordsTheKernelMethodAndPlainArguments() throws NoSuchMethodException {
        Buffer.F32 out = new Buffer.F32("out", 8), mean = new Buffer.F32("mean", 2), rstd = new Buffer.F32("rstd", 2),
                inp = new Buffer.F32("inp", 8), params = new Buffer.F32("params", 8);
        Graph g = new Graph("g").task("ln", 2, LayerNorm::forward, out, mean, rstd, inp, params, i32(0), i32(4), i32(4))
                .task("scale", 8, Scale::forward, out, inp, f32(0.5f));
        Task ln = g.tasks().get(0);
        assertEquals(LayerNorm.class.getMethod("forward", float[].class, float[].class, float[].class, float[].class,
                float[].class, int.class, int.class, int.class, int.class, int.class), ln.kernel());
        assertEquals(List.of(out, mean, rstd, inp, params, 0, 4, 4), ln.args());
        assertEquals(2, ln.work());
        assertEquals("LayerNorm.forward", ln.kernelName());
        assertEquals(List.of(out, inp, 0.5f), g.tasks().get(1).args());
        assertEquals(List.of(out, mean, rstd, inp, params), g.buffers());
    }

    @Test
    void lambdasAndInstanceMethodsAreRefused() {
        Buffer.F32 out = new Buffer.F32("out", 4);
        Graph g = new Graph("g");
        IllegalArgumentException lambda = assertThrows(IllegalArgumentException.class,
                () -> g.task("t", 4, (float[] o, int offset, int count) -> o[offset] = 1f, out));
        assertTrue(lambda.getMessage().contains("method reference to a static method"), lambda.getMessage());
        IllegalArgumentException instance = assertThrows(IllegalArgumentException.class,
                () -> g.task("t", 4, this::instanceKernel, out));
        assertTrue(instance.getMessage().contains("method reference to a static method"), instance.getMessage());
        assertTrue(g.tasks().isEmpty());
    }

    @Test
    void taskNamesAreUniqueAndWorkIsNotNegative() {
        Buffer.F32 grads = new Buffer.F32("grads", 4);
        Graph g = new Graph("g").task("zero", 4, AdamW::zeroGrad, grads, i32(0));
        assertThrows(IllegalArgumentException.class, () -> g.task("zero", 4, AdamW::zeroGrad, grads, i32(0)));
        assertThrows(IllegalArgumentException.class, () -> g.task("neg", -1, AdamW::zeroGrad, grads, i32(0)));
        assertEquals(1, g.tasks().size());
    }

    /** javac itself refuses a renamed kernel, a wrong arity and an argument of the wrong type. */
    @Test
    void javacChecksTheKernelNameArityAndArgumentTypes(@TempDir Path classes) throws URISyntaxException {
        List<String> calls = List.of(
                "g.task(\"s\", 4, Scale::forward, out, inp, f32(2f));",     // right
                "g.task(\"s\", 4, Scale::forwards, out, inp, f32(2f));",    // renamed kernel
                "g.task(\"s\", 4, Scale::forward, out, inp);",              // an argument missing
                "g.task(\"s\", 4, Scale::forward, out, inp, i32(2));",      // int for a float
                "g.task(\"s\", 4, Scale::forward, out, ids, f32(2f));",     // int[] for a float[]
                "g.task(\"s\", 4, Scale::forward, out, inp, 2f);");         // a bare float
        Set<String> failed = compile(calls, classes);
        assertEquals(Set.of("Probe1", "Probe2", "Probe3", "Probe4", "Probe5"), failed);
    }

    /** Compiles one class {@code Probe<i>} per call; returns the names of those javac refused. */
    private static Set<String> compile(List<String> calls, Path out) throws URISyntaxException {
        List<JavaFileObject> files = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            String source = """
                    import static modej.engine.graph.Arg.f32;
                    import static modej.engine.graph.Arg.i32;
                    import modej.engine.graph.*;
                    import modej.engine.kernel.Scale;
                    class Probe%d {
                        void record(Graph g, Buffer.F32 out, Buffer.F32 inp, Buffer.I32 ids) {
                            %s
                        }
                    }
                    """.formatted(i, calls.get(i));
            files.add(new SimpleJavaFileObject(URI.create("string:///Probe" + i + ".java"), JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return source;
                }
            });
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        String engine = Path.of(Graph.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        javac.getTask(null, null, diagnostics, List.of("-proc:none", "-classpath", engine, "-d", out.toString()),
                null, files).call();
        Set<String> failed = new TreeSet<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.ERROR) {
                failed.add(d.getSource().getName().replaceAll(".*/|\\.java$", ""));
            }
        }
        return failed;
    }
}
