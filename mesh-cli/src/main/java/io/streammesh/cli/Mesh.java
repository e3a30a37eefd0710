package io.streammesh.cli;

import io.streammesh.client.AvroLimits;
import io.streammesh.client.ScramLogins;
import io.streammesh.connector.contract.InvalidContractException;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.ProductAddress;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code mesh} command: runs the embedded mesh and acts on a running one as a principal.
 *
 * <p>Exit codes: {@value #OK} success, {@value #FAILED} the command could not do what was
 * asked (the one-line reason is printed), {@value #USAGE} the command line itself is wrong.
 */
@Command(name = "mesh",
        mixinStandardHelpOptions = true,
        versionProvider = Mesh.Version.class,
        description = "StreamMesh: a data mesh on Apache Kafka.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:the command failed (the reason is printed)", "2:invalid command line"})
public final class Mesh {

    /** The command did what was asked. */
    public static final int OK = 0;
    /** The command failed; its one-line reason was printed. */
    public static final int FAILED = 1;
    /** The command line was wrong. */
    public static final int USAGE = 2;

    /**
     * The subcommands, in the order help lists them. Each is built only when a command line needs
     * it: building picocli's model of all of them takes longer than many a command runs.
     */
    private static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

    private Mesh() {
    }

    private static Map<String, Supplier<Object>> subcommands() {
        Map<String, Supplier<Object>> subcommands = new LinkedHashMap<>();
        subcommands.put("up", UpCommand::new);
        subcommands.put("status", StatusCommand::new);
        subcommands.put("principal", PrincipalCommand::new);
        subcommands.put("domain", DomainCommand::new);
        subcommands.put("product", ProductCommand::new);
        subcommands.put("contract", ContractCommand::new);
        subcommands.put("produce", ProduceCommand::new);
        subcommands.put("consume", ConsumeCommand::new);
        subcommands.put("catalog", CatalogCommand::new);
        subcommands.put("access", AccessCommand::new);
        subcommands.put("audit", AuditCommand::new);
        subcommands.put("platform", PlatformCommand::new);
        subcommands.put("app", AppCommand::new);
        subcommands.put("subject", SubjectCommand::new);
        subcommands.put("keys", KeysCommand::new);
        subcommands.put("help", CommandLine.HelpCommand::new);
        return Collections.unmodifiableMap(subcommands);
    }

    /** @param args the command line */
    public static void main(String[] args) {
        // Before anything decodes a record: `mesh up` runs every app in this JVM, `consume` reads any client's records.
        AvroLimits.setUnlessSet();
        // A command opens several Kafka clients at once, each logging in to the bootstrap address and the broker.
        ScramLogins.install();
        System.exit(forArguments(args).execute(args));
    }

    /**
     * @param args the command line to run
     * @return {@link #commandLine()} with only the subcommand {@code args} names, when it names
     *         one, and of its {@linkplain MethodSubcommands method subcommands} only the one named
     *         next (help and anything else get all of them)
     */
    static CommandLine forArguments(String[] args) {
        boolean one = args.length > 0 && !args[0].equals("help") && SUBCOMMANDS.containsKey(args[0]);
        return one ? commandLine(Map.of(args[0], SUBCOMMANDS.get(args[0])), args.length > 1 ? args[1] : null) : commandLine();
    }

    /**
     * @return the command line with the mesh's error handling: a {@link MeshException} prints
     *         its one-line message and exits {@value #FAILED} ({@value #USAGE} for a {@link UsageError}); anything else also prints its
     *         stack trace, since it is a bug; a wrong command line (a bad product address or duration
     *         among them: their converters are registered here, once) prints one line naming what is
     *         wrong and exits {@value #USAGE}. Enum values (formats, kinds) are taken in any case.
     *         What is printed is {@linkplain TerminalText#escape(String) escaped}: messages quote
     *         the data and the command line.
     */
    public static CommandLine commandLine() {
        return commandLine(SUBCOMMANDS, null);
    }

    private static CommandLine commandLine(Map<String, Supplier<Object>> subcommands, String methodSubcommand) {
        var commandLine = new CommandLine(new Mesh());
        subcommands.forEach((name, command) -> {
            commandLine.addSubcommand(name, command.get());
            MethodSubcommands.add(commandLine.getSubcommands().get(name), methodSubcommand);
        });
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.registerConverter(ProductAddress.class, new ProductAddressConverter());
        commandLine.registerConverter(Duration.class, new DurationConverter());
        commandLine.setExecutionExceptionHandler((e, line, parsed) -> {
            PrintWriter err = line.getErr();
            if (e instanceof UsageError) {
                err.println("mesh: " + TerminalText.escape(e.getMessage()));
                err.flush();
                return USAGE;
            }
            if (e instanceof InvalidContractException invalid) {
                // one line per broken rule, by design; each is escaped on its own
                err.println("mesh: " + invalid.getMessage().lines().map(TerminalText::escape)
                        .collect(Collectors.joining(System.lineSeparator())));
            } else if (e instanceof MeshException) {
                err.println("mesh: " + TerminalText.escape(e.getMessage()));
            } else if (AuthorisationFailure.describe(e).isPresent()) {
                err.println("mesh: " + TerminalText.escape(AuthorisationFailure.describe(e).get()));
            } else {
                err.println("mesh: unexpected failure (a bug; please report it): " + TerminalText.escape(e.toString()));
                e.printStackTrace(err);
            }
            err.flush();
            return FAILED;
        });
        commandLine.setParameterExceptionHandler((e, args) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("mesh: " + TerminalText.escape(e.getMessage())
                    + " (see: " + e.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
            err.flush();
            return USAGE;
        });
        commandLine.setExitCodeExceptionMapper(e -> e instanceof CommandLine.ParameterException ? USAGE : FAILED);
        return commandLine;
    }

    /** Reads the version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Mesh.class.getPackage().getImplementationVersion();
            return new String[] {"StreamMesh " + (version == null ? "(development build)" : version)};
        }
    }
}
