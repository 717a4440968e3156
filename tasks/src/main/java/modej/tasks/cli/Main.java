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
        // a usage error: one line and where to look, not the whole help
        cl.setParameterExceptionHandler((e, args2) -> {
            CommandLine cmd = e.getCommandLine();
            String name = cmd.getCommandSpec().qualifiedName();
            cmd.getErr().println(name + ": " + e.getMessage().lines().findFirst().orElse("") + " (try '" + name + " --help')");
            return 2;
        });
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof modej.tasks.train.TrainingDiverged) {
                cmd.getErr().println("modej " + cmd.getCommandName() + ": " + e.getMessage());
                return 1;
            }
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

    /** The project version from the pom (the same the experiment reports record). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"modej " + modej.tasks.experiment.MachineFacts.modejVersion() + ", Java " + Runtime.version()};
        }
    }
}
