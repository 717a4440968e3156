package modej.tasks.cli;

import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;

import modej.engine.device.Backend;
import modej.engine.device.ComposedBackend;
import modej.engine.jvm.JvmBackend;
import picocli.CommandLine.Option;

/** Options shared by every command that runs graphs. */
public final class BackendOptions {

    /** Compiled only with {@code mvn -Ptornado}; loaded by name so the default build never refers to it. */
    static final String TORNADO_BACKEND = "modej.engine.tornado.TornadoBackend";

    @Option(names = "--backend", paramLabel = "jvm|tornado|DEVICES",
            description = {"jvm (default): all CPU cores. tornado: TornadoVM (build with -Ptornado; ./modej does that when TORNADOVM_HOME is set).",
                    "DEVICES: a comma-separated list of jvm and tornado:N (N as in ./modej devices), e.g. tornado:0,jvm. bench",
                    "and train place graphs: each runs on the device --graph-config names (else under --strategy mpmd placed",
                    "automatically, else on the first listed); under mpmd a stage's graphs on different devices run at once;",
                    "buffers move between devices through the host (README, \"TornadoVM\"). pretrain, eval, generate and",
                    "experiment run every graph on the first device listed."})
    String backend = "jvm";

    @Option(names = "--device", description = "TornadoVM device, by its index in ./modej devices (default: TornadoVM's default device).")
    Integer device;

    @Option(names = "--threads", description = "JVM backend workers (default: all ${sys:modej.cores} cores).")
    Integer threads;

    @Option(names = "--no-vector", description = "Use the portable kernels only (no Vector API fast paths).")
    boolean noVector;

    @Option(names = "--profile", description = "Time every task and print the totals per kernel at the end.")
    boolean profile;

    static {
        System.setProperty("modej.cores", String.valueOf(Runtime.getRuntime().availableProcessors()));
    }

    public int threads() {
        int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (t < 1) {
            throw new UserError("--threads must be >= 1, got " + t);
        }
        return t;
    }

    /** The backend the options name; the caller closes it. */
    public Backend backend() {
        if (backend.contains(",") || backend.contains(":")) {
            return composed();
        }
        return switch (backend) {
            case "jvm" -> {
                if (device != null) {
                    throw new UserError("--device selects a TornadoVM device; the jvm backend uses --threads");
                }
                yield new JvmBackend(threads(), !noVector, profile);
            }
            case "tornado" -> {
                if (threads != null || noVector) {
                    throw new UserError("--threads and --no-vector are options of the jvm backend");
                }
                int d = device != null ? device : (Integer) callTornado("defaultDevice");
                yield (Backend) tornado(() -> tornadoClass().getConstructor(int.class, boolean.class).newInstance(d, profile));
            }
            default -> throw new UserError("unknown --backend '" + backend + "'; valid: jvm, tornado, or a device list such as tornado:0,jvm");
        };
    }

    /** A backend of one member per listed device; see {@code --backend}. */
    private Backend composed() {
        if (device != null) {
            throw new UserError("--device selects the device of --backend tornado; with a device list name each as tornado:N");
        }
        List<String> names = List.of(backend.split(",", -1)).stream().map(String::trim).toList();
        if ((threads != null || noVector) && !names.contains("jvm")) {
            throw new UserError("--threads and --no-vector are options of the jvm device, which --backend " + backend + " does not list");
        }
        List<ComposedBackend.Member> members = new ArrayList<>();
        try {
            for (String name : names) {
                if (members.stream().anyMatch(m -> m.device().equals(name))) {
                    throw new UserError("--backend " + backend + " lists " + name + " twice");
                }
                members.add(new ComposedBackend.Member(name, member(name)));
            }
            return new ComposedBackend(members);
        } catch (RuntimeException e) {
            members.forEach(m -> m.backend().close());
            throw e;
        }
    }

    private Backend member(String name) {
        if (name.equals("jvm")) {
            return new JvmBackend(threads(), !noVector, profile);
        }
        if (name.startsWith("tornado:") && name.substring(8).matches("[0-9]{1,9}")) {
            int d = Integer.parseInt(name.substring(8));
            return (Backend) tornado(() -> tornadoClass().getConstructor(int.class, boolean.class).newInstance(d, profile));
        }
        throw new UserError("unknown device '" + name + "' in --backend " + backend + "; valid: jvm, tornado:N (N from ./modej devices)");
    }

    /** TornadoVM's devices as rows {@code [index, name, compute units, memory bytes, what]}, or why there are none. */
    @SuppressWarnings("unchecked")
    static List<String[]> tornadoDevices() {
        return (List<String[]>) callTornado("listDevices");
    }

    private static Object callTornado(String method) {
        return tornado(() -> tornadoClass().getMethod(method).invoke(null));
    }

    private interface Reflective {
        Object call() throws ReflectiveOperationException;
    }

    /** A reflective call into the TornadoVM backend, its failures turned into one-line messages. */
    private static Object tornado(Reflective call) {
        try {
            return call.call();
        } catch (ClassNotFoundException e) {
            throw new UserError("the TornadoVM backend is not on the class path: build with 'mvn -Ptornado' "
                    + "(./modej does when TORNADOVM_HOME is set)");
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof LinkageError l) {
                throw notLoaded(l);
            }
            throw new UserError("--backend tornado: " + e.getCause().getMessage());
        } catch (LinkageError e) {
            throw notLoaded(e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static UserError notLoaded(LinkageError e) {
        return new UserError("TornadoVM is not loaded in this JVM (" + e + "); start it with TornadoVM's argfile, "
                + "as ./modej does when TORNADOVM_HOME is set");
    }

    private static Class<?> tornadoClass() throws ClassNotFoundException {
        return Class.forName(TORNADO_BACKEND);
    }
}
