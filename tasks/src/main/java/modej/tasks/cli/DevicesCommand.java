package modej.tasks.cli;

import java.util.concurrent.Callable;

import jdk.incubator.vector.FloatVector;
import picocli.CommandLine.Command;

/** {@code ./modej devices}: what can run graphs here. */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "List the backends and devices available on this machine.")
final class DevicesCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        Runtime rt = Runtime.getRuntime();
        System.out.printf("backend  device  name                              workers  memory%n");
        System.out.printf("jvm      0       %-32s  %7d  %,d MiB heap max%n",
                System.getProperty("os.arch") + " CPU, Vector API " + FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit",
                rt.availableProcessors(), rt.maxMemory() >> 20);
        System.out.println("tornado  -       not available (build with -Ptornado and set TORNADOVM_HOME)");
        return 0;
    }
}
