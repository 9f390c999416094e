package dev.shears.bench.cli;

import dev.shears.bench.study.StudyMain;
import dev.shears.kernels.Kernels;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code shears} command line: {@code info}, {@code convert}, {@code predict}, {@code prune} and
 * {@code study}. Expected failures (bad files, bad option values) print one {@code error:} line and exit 1
 * (see {@link Failures}); usage errors print picocli's usage and exit 2.
 *
 * <pre>{@code java --add-modules jdk.incubator.vector -jar bench/target/shears.jar info model.safetensors}</pre>
 */
@Command(name = "shears", mixinStandardHelpOptions = true, versionProvider = ShearsCli.Version.class,
        subcommands = {InfoCommand.class, ConvertCommand.class, PredictCommand.class, PruneCommand.class},
        description = "Inspect, convert, run and prune neural-network models (Shears safetensors, compact .shrs, "
                + "ONNX, Keras).")
public final class ShearsCli implements Runnable {
    /** The global option that turns on stack traces for expected errors. */
    static final String DEBUG = "--debug";
    /** The global option that lets models with NaN or infinite weights load (refused by default). */
    static final String ALLOW_NON_FINITE = "--allow-non-finite";

    @Spec
    CommandSpec spec;

    // Inherited, so that it may be given before or after the subcommand; Failures reads it from the parse
    // result rather than from this field, which a subcommand's copy of the option does not set.
    @Option(names = DEBUG, scope = ScopeType.INHERIT,
            description = "Print the stack trace of expected errors too (bad files, bad option values).")
    boolean debug;

    // Inherited as --debug is; read from the parse result by CliFiles.allowNonFinite.
    @Option(names = ALLOW_NON_FINITE, scope = ScopeType.INHERIT,
            description = "Load models whose weights hold NaN or infinities (refused by default).")
    boolean allowNonFinite;

    /** Runs the command line and exits with its code: 0 success, 1 failure, 2 usage error. */
    public static void main(String[] args) {
        // jhdf (Keras files) logs through SLF4J; without a provider SLF4J warns on stderr at first use.
        if (System.getProperty("slf4j.internal.verbosity") == null) {
            System.setProperty("slf4j.internal.verbosity", "ERROR");
        }
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line with every subcommand and the error handling in place; tests give it their own
     * writers with {@link CommandLine#setOut} and {@link CommandLine#setErr}.
     */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new ShearsCli());
        // The study keeps its own command class (and its shears-study.jar); here it is one subcommand more.
        cl.addSubcommand("study", new StudyMain());
        cl.setExecutionExceptionHandler(new Failures());
        return cl;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand: one of "
                + String.join(", ", spec.subcommands().keySet()));
    }

    /** {@code --version}: the jar's version and which kernels run. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = ShearsCli.class.getPackage().getImplementationVersion();
            return new String[] {"shears " + (v == null ? "(development build)" : v),
                    "kernels: " + Kernels.description(),
                    "java: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version")};
        }
    }
}
