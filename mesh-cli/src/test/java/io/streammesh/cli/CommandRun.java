package io.streammesh.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * One run of the real {@code mesh} command line, in this JVM.
 *
 * @param exitCode the exit code
 * @param out what it printed on standard output
 * @param err what it printed on standard error
 */
record CommandRun(int exitCode, String out, String err) {

    static CommandRun of(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var commandLine = Mesh.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int code = commandLine.execute(args);
        return new CommandRun(code, out.toString(), err.toString());
    }
}
