package io.streammesh.cli;

import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code -o/--format table|json|csv} (and {@code --json}), the same on every command that prints data. */
final class OutputOption {

    @Option(names = {"-o", "--format"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table, json or csv (default: ${DEFAULT-VALUE}).")
    OutputFormat format;

    @Option(names = "--json", description = "The same as --format json.")
    boolean json;

    /** @return the output format asked for; {@code --json} stands for {@code --format json} */
    OutputFormat format() {
        return json ? OutputFormat.json : format;
    }

    /**
     * @param commandLine the command printing one item rather than rows
     * @return the output format asked for
     * @throws ParameterException if it is csv, which takes rows
     */
    OutputFormat formatOfOneItem(CommandLine commandLine) {
        if (format() == OutputFormat.csv) {
            throw new ParameterException(commandLine, "--format csv: " + commandLine.getCommandSpec().qualifiedName()
                    + " prints one item, not rows; use table or json");
        }
        return format();
    }
}
