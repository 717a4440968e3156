package modej.engine.jvm;

import static modej.engine.graph.Arg.f32;
import static modej.engine.graph.Arg.i32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import modej.engine.device.Profile;
import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.engine.graph.Kernels.Kernel3;
import modej.engine.kernel.Embedding;
import modej.engine.kernel.Scale;

/** The declared fast paths: each one bound, none left undeclared, a mismatch refused, the variant profiled. */
class FastPathsTest {

    /** Not a twin of Scale.forward: the scale is a double. javac accepts it for a Kernel3 of Float. */
    public static final class NotATwin {
        public static void wideScale(float[] out, float[] inp, double scale, int offset, int count) {
        }
    }

    @Test
    void everyHotKernelIsBoundToItsVectorTwin() {
        Set<String> bound = FastPaths.all().entrySet().stream()
                .map(e -> FastPaths.name(e.getKey()) + " -> " + FastPaths.name(e.getValue()))
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> expected = new TreeSet<>();
        Map.of("Matmul", List.of("forward", "forwardAccumulate", "backwardInput", "backwardParams"),
                "RoutedMatmul", List.of("forward", "backwardInput", "backwardParams"),
                "Attention", List.of("forward", "backwardScores", "backwardInput"),
                "LayerNorm", List.of("forward", "backwardInput", "backwardParams"),
                "Gelu", List.of("forward", "backward"),
                "CrossEntropy", List.of("forward", "backward"),
                "Residual", List.of("forward", "backward"),
                "Scale", List.of("forward", "backward"),
                "Gate", List.of("mixForward", "mixBackwardInput"),
                "AdamW", List.of("update", "zeroGrad"))
                .forEach((k, methods) -> methods.forEach(m -> expected.add(k + "." + m + " -> " + k + "Vector." + m)));
        assertEquals(expected, bound);
        for (Map.Entry<Method, Method> e : FastPaths.all().entrySet()) {
            assertEquals(e.getValue(), FastPaths.of(e.getKey()));
        }
    }

    /** A public static method of a *Vector class that no kernel lists as its twin would never run. */
    @Test
    void everyVectorKernelIsDeclaredAsSomeKernelsTwin() throws IOException, URISyntaxException, ClassNotFoundException {
        Path dir = Path.of(FastPaths.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve(FastPaths.class.getPackageName().replace('.', '/'));
        List<String> vectorClasses;
        try (Stream<Path> files = Files.list(dir)) {
            vectorClasses = files.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\w+Vector\\.class"))
                    .map(n -> n.replace(".class", "")).sorted().toList();
        }
        assertTrue(vectorClasses.size() >= 9, "found " + vectorClasses);
        Set<Method> twins = new HashSet<>(FastPaths.all().values());
        List<String> undeclared = new ArrayList<>();
        for (String name : vectorClasses) {
            for (Method m : Class.forName(FastPaths.class.getPackageName() + "." + name).getDeclaredMethods()) {
                int mod = m.getModifiers();
                if (Modifier.isPublic(mod) && Modifier.isStatic(mod) && m.getReturnType() == void.class && !twins.contains(m)) {
                    undeclared.add(FastPaths.name(m));
                }
            }
        }
        assertEquals(List.of(), undeclared);
    }

    @Test
    void aTwinWhoseParametersDifferDoesNotBind() {
        Kernel3<float[], float[], Float> portable = Scale::forward, wide = NotATwin::wideScale;
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> FastPaths.bind(List.of(new FastPaths.Twin(portable, wide))));
        assertTrue(e.getMessage().contains("Scale.forward -> NotATwin.wideScale does not bind"), e.getMessage());
        IllegalStateException twice = assertThrows(IllegalStateException.class, () -> FastPaths.bind(List.of(
                FastPaths.twin(Scale::forward, ScaleVector::forward), FastPaths.twin(Scale::forward, ScaleVector::forward))));
        assertTrue(twice.getMessage().contains("declared twice"), twice.getMessage());
    }

    @Test
    void theProfileSaysWhichVariantRan() {
        for (boolean vector : new boolean[] {true, false}) {
            try (JvmBackend backend = new JvmBackend(2, vector, true)) {
                Buffer.F32 out = new Buffer.F32("out", 8), inp = new Buffer.F32("inp", 8), params = new Buffer.F32("params", 24);
                Buffer.I32 tokens = new Buffer.I32("tokens", 2);
                backend.compile(new Graph("g")
                        .task("scale", 8, Scale::forward, out, inp, f32(2f))
                        .task("embed", 2, Embedding::forward, out, tokens, params, i32(0), i32(12), i32(2), i32(4)))
                        .run();
                Map<String, String> variants = backend.profile().entries().stream()
                        .collect(Collectors.toMap(Profile.Entry::task, Profile.Entry::variant));
                assertEquals(Map.of("scale", vector ? "vector" : "portable", "embed", "portable"), variants);
            }
        }
    }
}
