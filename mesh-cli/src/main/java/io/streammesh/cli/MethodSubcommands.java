package io.streammesh.cli;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The subcommands a command declares as {@code @Command} methods ({@code mesh catalog search},
 * {@code mesh access list}, ...), built only when a command line needs them: picocli reads every
 * parameter annotation of every method to build one, which costs a short command more than the
 * rest of its model. A command opts in with {@code @Command(addMethodSubcommands = false)};
 * picocli builds the method subcommands of any other command itself, all of them.
 */
final class MethodSubcommands {

    private MethodSubcommands() {
    }

    /**
     * @param command a command just added to the {@code mesh} command line
     * @param wanted the word after the command's name on the command line, or null: when it names
     *               one of its method subcommands, only that one is built; otherwise (help, a
     *               typo, nothing) all of them, so usage lists them and a typo gets its suggestion
     */
    static void add(CommandLine command, String wanted) {
        Class<?> type = command.getCommandSpec().userObject().getClass();
        Command annotation = type.getAnnotation(Command.class);
        if (annotation == null || annotation.addMethodSubcommands()) {
            return;
        }
        List<Method> methods = CommandLine.getCommandMethods(type, null);
        boolean named = methods.stream().anyMatch(method -> names(method).contains(wanted));
        methods.stream().filter(method -> !named || names(method).contains(wanted))
                .forEach(method -> command.addSubcommand(new CommandLine(method)));
    }

    private static List<String> names(Method method) {
        Command command = method.getAnnotation(Command.class);
        return Stream.concat(Stream.of(command.name()), Arrays.stream(command.aliases())).toList();
    }
}
