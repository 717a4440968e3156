package modej.tasks.cli;

import java.lang.reflect.InvocationTargetException;
import java.util.List;

import modej.engine.device.Backend;
import modej.engine.jvm.JvmBackend;
import picocli.CommandLine.Option;

/** Options shared by every command that runs graphs. */
public final class BackendOptions {

    /** Compiled only with {@code mvn -Ptornado}; loaded by name so the default build never refers to it. */
    static final String TORNADO_BACKEND = "modej.engine.tornado.TornadoBackend";

    @Option(names = "--backend", paramLabel = "jvm|tornado",
            description = "jvm (default): all CPU cores. tornado: TornadoVM (build with -Ptornado; ./modej does that when TORNADOVM_HOME is set).")
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
            default -> throw new UserError("unknown --backend '" + backend + "'; valid: jvm, tornado");
        };
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
