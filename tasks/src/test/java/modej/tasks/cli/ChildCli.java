package modej.tasks.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The CLI in a child JVM started from the test's own classpath with the flags {@code ./modej} uses,
 * so that a test can kill it ({@link Process#destroyForcibly}) or run two at once.
 */
final class ChildCli {

    private ChildCli() {
    }

    /** Starts {@code modej args…} in {@code dir}; stdout and stderr go to {@code log}. */
    static Process start(Path dir, Path log, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--add-modules");
        cmd.add("jdk.incubator.vector");
        cmd.add("-XX:-OptoRegScheduling");
        cmd.add("-Xmx256m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(args);
        return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }
}
