package modej.tasks.experiment;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The machine and software a result was measured on, saved next to the results: Java, OS, cores,
 * memory, MoDE-J's version, and the version of every library on the class path that says it
 * (from its {@code META-INF/maven/.../pom.properties}, else its manifest).
 *
 * @param modej        MoDE-J's version (from the build), or {@code dev}
 * @param java         {@code Runtime.version()}
 * @param javaVendor   the JVM's vendor and name
 * @param os           name, version and architecture
 * @param cores        processors available to the JVM
 * @param threads      JVM backend workers used
 * @param maxHeapMiB   the heap limit
 * @param jvmArguments the JVM's input arguments
 * @param dependencies {@code groupId:artifactId} (or jar name) to version, sorted
 * @param started      when the call of {@code experiment} that measured them started, ISO-8601
 */
public record MachineFacts(String modej, String java, String javaVendor, String os, int cores, int threads,
                           long maxHeapMiB, List<String> jvmArguments, Map<String, String> dependencies, String started) {

    /** The facts saved in {@code file}, or {@code otherwise} when there is no such file. */
    static MachineFacts read(Path file, MachineFacts otherwise) {
        if (!Files.exists(file)) {
            return otherwise;
        }
        try {
            return ExperimentFile.json().readValue(file.toFile(), MachineFacts.class);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not readable machine facts (" + e.getMessage().lines().findFirst()
                    .orElse("") + "); delete it, and the next call that trains a run writes it again");
        }
    }

    /** The facts of this JVM, with {@code threads} backend workers. */
    public static MachineFacts collect(int threads) {
        return new MachineFacts(modejVersion(), Runtime.version().toString(),
                System.getProperty("java.vendor") + " " + System.getProperty("java.vm.name"),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(), threads, Runtime.getRuntime().maxMemory() >> 20,
                ManagementFactory.getRuntimeMXBean().getInputArguments(), classPathVersions(), Instant.now().toString());
    }

    /** The project version (from the pom, by resource filtering), or "dev" when the resource is not filtered. */
    public static String modejVersion() {
        try (InputStream in = MachineFacts.class.getResourceAsStream("/modej/tasks/version.properties")) {
            if (in == null) {
                return "dev";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "dev");
            return v.startsWith("${") ? "dev" : v;
        } catch (IOException e) {
            return "dev";
        }
    }

    private static Map<String, String> classPathVersions() {
        Map<String, String> out = new TreeMap<>();
        for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!entry.endsWith(".jar")) {
                continue;
            }
            try (JarFile jar = new JarFile(entry)) {
                if (!fromPomProperties(jar, out)) {
                    fromManifest(jar, new File(entry).getName(), out);
                }
            } catch (IOException e) {
                // not readable: leave it out
            }
        }
        return out;
    }

    private static boolean fromPomProperties(JarFile jar, Map<String, String> out) throws IOException {
        boolean found = false;
        for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
            JarEntry je = e.nextElement();
            if (je.getName().startsWith("META-INF/maven/") && je.getName().endsWith("/pom.properties")) {
                Properties p = new Properties();
                try (InputStream in = jar.getInputStream(je)) {
                    p.load(in);
                }
                if (p.getProperty("artifactId") != null) {
                    out.put(p.getProperty("groupId") + ":" + p.getProperty("artifactId"), p.getProperty("version", "?"));
                    found = true;
                }
            }
        }
        return found;
    }

    private static void fromManifest(JarFile jar, String name, Map<String, String> out) throws IOException {
        var manifest = jar.getManifest();
        if (manifest == null) {
            return;
        }
        Attributes a = manifest.getMainAttributes();
        String version = a.getValue("Implementation-Version") != null ? a.getValue("Implementation-Version")
                : a.getValue("Bundle-Version");
        if (version != null) {
            String title = a.getValue("Bundle-SymbolicName") != null ? a.getValue("Bundle-SymbolicName") : name;
            out.put(title.split(";")[0], version);
        }
    }
}
