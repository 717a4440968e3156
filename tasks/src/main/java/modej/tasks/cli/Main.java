package modej.tasks.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./modej}: the command line. */
@Command(name = "modej", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "MoDE-J: train, compose and evaluate Modular Domain Experts on the JVM.",
        subcommands = {PretrainCommand.class, TrainCommand.class, EvalCommand.class, ExperimentCommand.class, GenerateCommand.class, ImportCommand.class, ExportCommand.class, BenchCommand.class, DevicesCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        int code = run(args);
        if (!StopOnInterrupt.stopping()) {
            System.exit(code);
        }
    }

    /** Runs the CLI and returns its exit code; errors in user input print one line, not a stack trace. */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof IllegalArgumentException || e instanceof java.io.UncheckedIOException
                    || e instanceof java.io.IOException || e instanceof UserError
                    || e instanceof modej.model.checkpoint.CheckpointException) {
                cmd.getErr().println("modej " + cmd.getCommandName() + ": " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cl.execute(args);
    }

    /** The project version from the jar manifest, or "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[]{"modej " + (v == null ? "dev" : v) + ", Java " + Runtime.version()};
        }
    }
}
