package modej.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

import modej.engine.kernelrules.BadKernel;

/**
 * Checks the compiled kernel classes against the kernel rules of DESIGN.md, by reading their
 * bytecode with ASM: what TornadoVM can compile is a property of the class files, not of the source.
 */
class KernelRulesTest {

    static final String KERNEL_PACKAGE = "modej/engine/kernel/";
    static final int MAX_PARAMETERS = 15;
    static final Set<String> PARAMETER_TYPES = Set.of("[F", "[I", "I", "F");
    /**
     * Exponentials in double: per element they run at a GPU's double rate. sqrt and log stay
     * allowed, for once-per-row or once-per-launch scalars (a scale, an rstd, a row's log Σ exp).
     * AdamW's bias corrections ({@code Math.pow} per element) are the one exception, named here.
     */
    static final Set<String> DOUBLE_EXPONENTIALS = Set.of("exp", "expm1", "tanh", "sinh", "cosh", "pow");
    static final Set<String> DOUBLE_EXP_EXEMPT = Set.of("modej/engine/kernel/AdamW.update");

    enum Rule {
        NOT_STATIC("kernels and their helpers must be static"),
        NOT_VOID("a kernel must return void"),
        PARAMETER_TYPE("parameters may only be float[], int[], int, float"),
        TOO_MANY_PARAMETERS("at most " + MAX_PARAMETERS + " parameters"),
        OFFSET_COUNT("the last two parameters must be (int offset, int count)"),
        ALLOCATION("no allocation (NEW, NEWARRAY, ANEWARRAY, MULTIANEWARRAY)"),
        THROW("no exceptions (ATHROW)"),
        OBJECT_CALL("no virtual, interface, dynamic or special calls"),
        FOREIGN_CALL("static calls only to java.lang.Math or classes of modej.engine.kernel (not even Float's "
                + "bit casts: TornadoVM 5.2's OpenCL backend cannot compile them)"),
        DOUBLE_EXP("no double-precision exponential (Math.exp, expm1, tanh, sinh, cosh, pow): TornadoVM compiles it "
                + "to a double function on the device; use FloatMath.exp (kernel rule 11)"),
        NO_LOCAL_VARIABLE_TABLE("class files must keep the local variable table (compile with -g)");

        final String text;

        Rule(String text) {
            this.text = text;
        }
    }

    record Violation(String className, String method, Rule rule, String detail) {
        @Override
        public String toString() {
            return className.replace('/', '.') + "." + method + ": " + rule + " (" + rule.text + "): " + detail;
        }
    }

    /** Every violation in one class file; none for an annotation type such as {@link Parallel}. */
    static List<Violation> check(byte[] classFile) {
        List<Violation> found = new ArrayList<>();
        ClassReader reader = new ClassReader(classFile);
        if ((reader.getAccess() & Opcodes.ACC_ANNOTATION) != 0) {
            return found;
        }
        String owner = reader.getClassName();
        reader.accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                // the private constructor, and what javac generates (lambda bodies, bridges), are no kernels
                if (name.equals("<init>") || (access & (Opcodes.ACC_SYNTHETIC | Opcodes.ACC_BRIDGE)) != 0) {
                    return null;
                }
                return new MethodRules(owner, access, name, descriptor, found);
            }
        }, 0);
        return found;
    }

    /** The rules for one method: signature rules for public methods, body rules for all. */
    static final class MethodRules extends MethodVisitor {
        private final String owner;
        private final String name;
        private final String descriptor;
        private final boolean isStatic;
        private final boolean isPublic;
        private final Type[] parameters;
        private final int[] slots;
        private final String[] parameterNames;
        private final List<Violation> found;
        private boolean hasCode;
        private boolean hasLocalVariables;

        MethodRules(String owner, int access, String name, String descriptor, List<Violation> found) {
            super(Opcodes.ASM9);
            this.owner = owner;
            this.name = name;
            this.descriptor = descriptor;
            this.isStatic = (access & Opcodes.ACC_STATIC) != 0;
            this.isPublic = (access & Opcodes.ACC_PUBLIC) != 0;
            this.parameters = Type.getArgumentTypes(descriptor);
            this.slots = new int[parameters.length];
            int slot = isStatic ? 0 : 1;
            for (int i = 0; i < parameters.length; i++) {
                slots[i] = slot;
                slot += parameters[i].getSize();
            }
            this.parameterNames = new String[parameters.length];
            this.found = found;
        }

        private void report(Rule rule, String detail) {
            found.add(new Violation(owner, name + descriptor, rule, detail));
        }

        @Override
        public void visitCode() {
            hasCode = true;
        }

        @Override
        public void visitTypeInsn(int opcode, String type) {
            if (opcode == Opcodes.NEW || opcode == Opcodes.ANEWARRAY) {
                report(Rule.ALLOCATION, (opcode == Opcodes.NEW ? "NEW " : "ANEWARRAY ") + type);
            }
        }

        @Override
        public void visitIntInsn(int opcode, int operand) {
            if (opcode == Opcodes.NEWARRAY) {
                report(Rule.ALLOCATION, "NEWARRAY");
            }
        }

        @Override
        public void visitMultiANewArrayInsn(String type, int dimensions) {
            report(Rule.ALLOCATION, "MULTIANEWARRAY " + type);
        }

        @Override
        public void visitInsn(int opcode) {
            if (opcode == Opcodes.ATHROW) {
                report(Rule.THROW, "ATHROW");
            }
        }

        @Override
        public void visitMethodInsn(int opcode, String callee, String method, String calleeDescriptor,
                                    boolean isInterface) {
            String target = callee + "." + method + calleeDescriptor;
            switch (opcode) {
                case Opcodes.INVOKESTATIC -> {
                    if (!callee.equals("java/lang/Math") && !callee.equals(owner) && !inKernelPackage(callee)) {
                        report(Rule.FOREIGN_CALL, "INVOKESTATIC " + target);
                    }
                    if (callee.equals("java/lang/Math") && DOUBLE_EXPONENTIALS.contains(method)
                            && calleeDescriptor.startsWith("(D") && !DOUBLE_EXP_EXEMPT.contains(owner + "." + name)) {
                        report(Rule.DOUBLE_EXP, "INVOKESTATIC " + target);
                    }
                }
                case Opcodes.INVOKEVIRTUAL -> report(Rule.OBJECT_CALL, "INVOKEVIRTUAL " + target);
                case Opcodes.INVOKEINTERFACE -> report(Rule.OBJECT_CALL, "INVOKEINTERFACE " + target);
                case Opcodes.INVOKESPECIAL -> report(Rule.OBJECT_CALL, "INVOKESPECIAL " + target);
                default -> report(Rule.OBJECT_CALL, "opcode " + opcode + " " + target);
            }
        }

        @Override
        public void visitInvokeDynamicInsn(String method, String calleeDescriptor, org.objectweb.asm.Handle bootstrap,
                                           Object... arguments) {
            report(Rule.OBJECT_CALL, "INVOKEDYNAMIC " + method + calleeDescriptor);
        }

        @Override
        public void visitLocalVariable(String local, String localDescriptor, String signature, Label start, Label end,
                                       int index) {
            hasLocalVariables = true;
            for (int i = 0; i < parameters.length; i++) {
                // javac never reuses a parameter's slot, so the entry of that slot names the parameter
                if (slots[i] == index && parameterNames[i] == null) {
                    parameterNames[i] = local;
                }
            }
        }

        @Override
        public void visitEnd() {
            if (!isStatic) {
                report(Rule.NOT_STATIC, "instance method");
            }
            boolean needsNames = !name.equals("<clinit>") && (parameters.length > 0 || !isStatic);
            if (hasCode && needsNames && !hasLocalVariables) {
                report(Rule.NO_LOCAL_VARIABLE_TABLE, "no LocalVariableTable");
            }
            if (!isPublic) {
                return; // a helper: only the body rules above
            }
            Type result = Type.getReturnType(descriptor);
            if (result.getSort() != Type.VOID) {
                report(Rule.NOT_VOID, "returns " + result.getClassName());
            }
            for (int i = 0; i < parameters.length; i++) {
                if (!PARAMETER_TYPES.contains(parameters[i].getDescriptor())) {
                    report(Rule.PARAMETER_TYPE, "parameter " + i + " is " + parameters[i].getClassName());
                }
            }
            if (parameters.length > MAX_PARAMETERS) {
                report(Rule.TOO_MANY_PARAMETERS, parameters.length + " parameters");
            }
            int n = parameters.length;
            if (n < 2 || parameters[n - 2].getSort() != Type.INT || parameters[n - 1].getSort() != Type.INT) {
                report(Rule.OFFSET_COUNT, "does not end with two int parameters");
            } else if (hasLocalVariables
                    && !("offset".equals(parameterNames[n - 2]) && "count".equals(parameterNames[n - 1]))) {
                report(Rule.OFFSET_COUNT, "ends with (int " + parameterNames[n - 2] + ", int "
                        + parameterNames[n - 1] + ")");
            }
        }
    }

    static boolean inKernelPackage(String internalName) {
        return internalName.startsWith(KERNEL_PACKAGE) && internalName.indexOf('/', KERNEL_PACKAGE.length()) < 0;
    }

    /** The directory holding the compiled kernel classes, found through {@link Matmul}. */
    static Path kernelClassDirectory() {
        URL url = Matmul.class.getResource("Matmul.class");
        if (url == null || !url.getProtocol().equals("file")) {
            fail("kernel classes must be read from a directory, but Matmul.class is at " + url);
        }
        try {
            return Path.of(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] classBytes(Class<?> type) {
        try (InputStream in = type.getResourceAsStream(type.getSimpleName() + ".class")) {
            if (in == null) {
                throw new IllegalStateException("no class file for " + type);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void everyKernelFollowsTheRules() throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(kernelClassDirectory())) {
            // top-level classes only: nested classes are not kernels
            files = list.filter(p -> p.getFileName().toString().endsWith(".class"))
                    .filter(p -> !p.getFileName().toString().contains("$"))
                    .sorted()
                    .toList();
        }
        Set<String> scanned = new TreeSet<>();
        List<Violation> violations = new ArrayList<>();
        for (Path file : files) {
            scanned.add(file.getFileName().toString().replace(".class", ""));
            violations.addAll(check(Files.readAllBytes(file)));
        }
        // guard against a vacuous pass on the wrong or an empty directory
        for (String kernel : List.of("Matmul", "Embedding", "LayerNorm", "Attention", "Gelu", "Residual",
                "CrossEntropy", "AdamW", "Gate", "Scale", "ExpertScale")) {
            assertTrue(scanned.contains(kernel), "kernel " + kernel + " was not scanned; scanned: " + scanned);
        }
        if (!violations.isEmpty()) {
            fail(violations.size() + " kernel rule violation(s):\n"
                    + violations.stream().map(Violation::toString).collect(Collectors.joining("\n")));
        }
    }

    /**
     * TornadoVM finds parallel loops by reading {@code @Parallel} from the class file, where javac
     * keeps it only as a type annotation on the local variable. Without one, a kernel still
     * compiles for the device but runs there on a single thread.
     */
    @Test
    void everyKernelMarksItsParallelLoopInTheClassFile() throws IOException {
        String parallel = Type.getDescriptor(Parallel.class);
        List<String> unmarked = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> list = Files.list(kernelClassDirectory())) {
            files = list.filter(p -> p.getFileName().toString().endsWith(".class"))
                    .filter(p -> !p.getFileName().toString().contains("$")).sorted().toList();
        }
        int kernels = 0;
        for (Path file : files) {
            ClassReader reader = new ClassReader(Files.readAllBytes(file));
            if ((reader.getAccess() & Opcodes.ACC_ANNOTATION) != 0) {
                continue;
            }
            List<String> inClass = new ArrayList<>();
            reader.accept(new ClassVisitor(Opcodes.ASM9) {
                @Override
                public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                                 String[] exceptions) {
                    int kernel = Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC;
                    if ((access & kernel) != kernel || (access & Opcodes.ACC_SYNTHETIC) != 0) {
                        return null;
                    }
                    inClass.add(name + descriptor);
                    return new MethodVisitor(Opcodes.ASM9) {
                        @Override
                        public org.objectweb.asm.AnnotationVisitor visitLocalVariableAnnotation(int typeRef,
                                org.objectweb.asm.TypePath typePath, Label[] start, Label[] end, int[] index,
                                String annotation, boolean visible) {
                            if (annotation.equals(parallel) && visible) {
                                inClass.remove(name + descriptor);
                            }
                            return null;
                        }
                    };
                }
            }, 0);
            kernels++;
            inClass.forEach(m -> unmarked.add(reader.getClassName().replace('/', '.') + "." + m));
        }
        assertTrue(kernels >= 10, "only " + kernels + " kernel classes scanned");
        assertTrue(unmarked.isEmpty(), "kernels without a @Parallel loop variable in the class file "
                + "(is Parallel's @Target missing TYPE_USE?): " + unmarked);
    }

    /**
     * OpenCL C built-in functions and reserved words. TornadoVM names a device kernel after its Java
     * method ({@code __kernel void mix(...)}); with a built-in's name the program has no kernel of
     * that name, clCreateKernel fails (CL_INVALID_KERNEL_NAME) and the launch crashes the JVM.
     */
    static final Set<String> OPENCL_NAMES = Set.of(
            // math
            "acos", "acosh", "acospi", "asin", "asinh", "asinpi", "atan", "atan2", "atanh", "atanpi", "atan2pi",
            "cbrt", "ceil", "copysign", "cos", "cosh", "cospi", "erf", "erfc", "exp", "exp2", "exp10", "expm1",
            "fabs", "fdim", "floor", "fma", "fmax", "fmin", "fmod", "fract", "frexp", "hypot", "ilogb", "ldexp",
            "lgamma", "lgamma_r", "log", "log2", "log10", "log1p", "logb", "mad", "maxmag", "minmag", "modf", "nan",
            "nextafter", "pow", "pown", "powr", "remainder", "remquo", "rint", "rootn", "round", "rsqrt", "sin",
            "sincos", "sinh", "sinpi", "sqrt", "tan", "tanh", "tanpi", "tgamma", "trunc",
            // integer, common, geometric, relational
            "abs", "abs_diff", "add_sat", "hadd", "rhadd", "clamp", "clz", "ctz", "mad_hi", "mad_sat", "max", "min",
            "mul_hi", "rotate", "sub_sat", "upsample", "popcount", "mad24", "mul24", "degrees", "mix", "radians",
            "step", "smoothstep", "sign", "cross", "dot", "distance", "length", "normalize", "fast_distance",
            "fast_length", "fast_normalize", "isequal", "isnotequal", "isgreater", "isgreaterequal", "isless",
            "islessequal", "islessgreater", "isfinite", "isinf", "isnan", "isnormal", "isordered", "isunordered",
            "signbit", "any", "all", "bitselect", "select", "shuffle", "shuffle2",
            // synchronisation, work items, memory, misc
            "barrier", "mem_fence", "read_mem_fence", "write_mem_fence", "work_group_barrier", "get_work_dim",
            "get_global_size", "get_global_id", "get_local_size", "get_local_id", "get_num_groups", "get_group_id",
            "get_global_offset", "async_work_group_copy", "async_work_group_strided_copy", "wait_group_events",
            "prefetch", "printf", "vload", "vstore", "vload_half", "vstore_half",
            // OpenCL C keywords that are legal Java identifiers
            "kernel", "global", "local", "constant", "private", "read_only", "write_only", "read_write", "half",
            "uint", "uchar", "ushort", "ulong", "signed", "unsigned", "sizeof", "typedef", "union", "struct",
            "extern", "register", "restrict", "inline", "auto", "main");

    @Test
    void noKernelIsNamedLikeAnOpenClBuiltIn() throws IOException {
        List<String> clashes = new ArrayList<>();
        try (Stream<Path> list = Files.list(kernelClassDirectory())) {
            for (Path file : list.filter(p -> p.getFileName().toString().endsWith(".class")).sorted().toList()) {
                new ClassReader(Files.readAllBytes(file)).accept(new ClassVisitor(Opcodes.ASM9) {
                    @Override
                    public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                                     String[] exceptions) {
                        int kernel = Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC; // helpers are inlined, kernels keep their name
                        if ((access & kernel) == kernel && OPENCL_NAMES.contains(name)) {
                            clashes.add(file.getFileName() + ": " + name);
                        }
                        return null;
                    }
                }, 0);
            }
        }
        assertTrue(clashes.isEmpty(), "kernels named like OpenCL C built-ins: " + clashes);
    }

    /** Rules broken per method name. */
    static Map<String, Set<Rule>> byMethod(List<Violation> violations) {
        Map<String, Set<Rule>> rules = new TreeMap<>();
        for (Violation v : violations) {
            String method = v.method().substring(0, v.method().indexOf('('));
            rules.computeIfAbsent(method, k -> EnumSet.noneOf(Rule.class)).add(v.rule());
        }
        return rules;
    }

    @Test
    void checkerRejectsEachKindOfViolation() {
        List<Violation> violations = check(classBytes(BadKernel.class));
        Map<String, Set<Rule>> actual = byMethod(violations);

        Map<String, Set<Rule>> expected = new TreeMap<>();
        expected.put("instanceMethod", EnumSet.of(Rule.NOT_STATIC));
        expected.put("returnsValue", EnumSet.of(Rule.NOT_VOID));
        expected.put("doubleParameter", EnumSet.of(Rule.PARAMETER_TYPE));
        expected.put("matrixParameter", EnumSet.of(Rule.PARAMETER_TYPE));
        expected.put("sixteenParameters", EnumSet.of(Rule.TOO_MANY_PARAMETERS));
        expected.put("wrongNames", EnumSet.of(Rule.OFFSET_COUNT));
        expected.put("countIsFloat", EnumSet.of(Rule.OFFSET_COUNT));
        expected.put("noOffsetCount", EnumSet.of(Rule.OFFSET_COUNT));
        expected.put("allocatesArray", EnumSet.of(Rule.ALLOCATION));
        expected.put("allocatesObjectArray", EnumSet.of(Rule.ALLOCATION));
        expected.put("allocatesMatrix", EnumSet.of(Rule.ALLOCATION));
        expected.put("allocatesObject", EnumSet.of(Rule.ALLOCATION, Rule.OBJECT_CALL));
        expected.put("throwsException", EnumSet.of(Rule.THROW));
        expected.put("virtualCall", EnumSet.of(Rule.OBJECT_CALL));
        expected.put("interfaceCall", EnumSet.of(Rule.OBJECT_CALL));
        expected.put("dynamicCall", EnumSet.of(Rule.OBJECT_CALL));
        expected.put("foreignStaticCall", EnumSet.of(Rule.FOREIGN_CALL));
        expected.put("doubleExp", EnumSet.of(Rule.DOUBLE_EXP));
        expected.put("allocatingHelper", EnumSet.of(Rule.ALLOCATION)); // private helpers obey the body rules
        expected.put("instanceHelper", EnumSet.of(Rule.NOT_STATIC));
        // the static initialiser allocates the exception and creates the lambda
        expected.put("<clinit>", EnumSet.of(Rule.ALLOCATION, Rule.OBJECT_CALL));
        // not listed, so expected clean: good, goodHelper, callsAllocatingHelper
        assertEquals(expected, actual, "rules broken per method of BadKernel; all violations:\n"
                + violations.stream().map(Violation::toString).collect(Collectors.joining("\n")));

        // every rule but the local variable table is exercised above, each on its own at least once
        Set<Rule> covered = EnumSet.noneOf(Rule.class);
        expected.values().forEach(covered::addAll);
        assertEquals(EnumSet.complementOf(EnumSet.of(Rule.NO_LOCAL_VARIABLE_TABLE)), covered);
    }

    @Test
    void checkerRejectsClassFilesWithoutLocalVariableTable() {
        byte[] stripped = withoutLocalVariables(classBytes(BadKernel.class));
        Map<String, Set<Rule>> actual = byMethod(check(stripped));
        assertEquals(EnumSet.of(Rule.NO_LOCAL_VARIABLE_TABLE), actual.get("good"));
        assertEquals(EnumSet.of(Rule.NO_LOCAL_VARIABLE_TABLE), actual.get("goodHelper"));
        // the names of (int from, int n) are no longer known, so only the missing table is reported
        assertEquals(EnumSet.of(Rule.NO_LOCAL_VARIABLE_TABLE), actual.get("wrongNames"));
    }

    @Test
    void violationMessageNamesClassMethodAndRule() {
        String message = check(classBytes(BadKernel.class)).stream()
                .filter(v -> v.method().startsWith("foreignStaticCall("))
                .findFirst().orElseThrow().toString();
        assertTrue(message.startsWith("modej.engine.kernelrules.BadKernel.foreignStaticCall("), message);
        assertTrue(message.contains("FOREIGN_CALL"), message);
        assertTrue(message.contains("java/lang/System.arraycopy"), message);
    }

    /** The same class file without any LocalVariableTable, as javac writes it without -g. */
    static byte[] withoutLocalVariables(byte[] classFile) {
        ClassWriter writer = new ClassWriter(0);
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                return new MethodVisitor(Opcodes.ASM9, super.visitMethod(access, name, descriptor, signature,
                        exceptions)) {
                    @Override
                    public void visitLocalVariable(String local, String localDescriptor, String signature,
                                                   Label start, Label end, int index) {
                        // dropped
                    }
                };
            }
        }, 0);
        return writer.toByteArray();
    }
}
