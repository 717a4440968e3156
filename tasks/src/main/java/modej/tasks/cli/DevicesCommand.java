package modej.tasks.cli;

import java.util.List;
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
        List<String[]> tornado;
        try {
            tornado = BackendOptions.tornadoDevices();
        } catch (UserError e) {
            System.out.println("tornado  -       not available: " + e.getMessage());
            return 0;
        }
        if (tornado.isEmpty()) {
            System.out.println("tornado  -       TornadoVM is loaded but finds no device (see 'tornado --devices')");
        }
        for (String[] d : tornado) {
            // d = [index, name, compute units, global memory bytes, TornadoVM backend driver:device, platform]
            System.out.printf("tornado  %-6s  %-32s  %7s  %,d MiB (%s)%n", d[0], d[1], d[2], Long.parseLong(d[3]) >> 20, d[4]);
        }
        if (!tornado.isEmpty()) {
            System.out.println("(--backend tornado --device N runs every graph on device N, which graph configs call tornado:0;");
            System.out.println(" --backend tornado:N,jvm or tornado:0,tornado:1 runs a stage's graphs on those devices at once, named so)");
        }
        return 0;
    }
}
