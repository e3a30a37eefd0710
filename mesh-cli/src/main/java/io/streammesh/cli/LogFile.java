package io.streammesh.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.FileAppender;
import io.streammesh.schema.MeshException;
import io.streammesh.embedded.StateDirectory;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Where a long-running command logs: the broker and the apps are chatty, so everything goes to a
 * file in the state directory and the terminal keeps only the mesh's own warnings and errors.
 */
final class LogFile {

    private LogFile() {
    }

    /** @param file where the full log goes from now on */
    static void redirectTo(Path file) {
        try {
            StateDirectory.createPrivate(file);
        } catch (IOException e) {
            throw new MeshException("cannot create the log file " + file + ": " + e.getMessage(), e);
        }
        var context = (LoggerContext) LoggerFactory.getILoggerFactory();
        var encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{ISO8601} %-5level [%thread] %logger{36} - %msg%n");
        encoder.start();
        var appender = new FileAppender<ILoggingEvent>();
        appender.setContext(context);
        appender.setName("FILE");
        appender.setFile(file.toString());
        appender.setEncoder(encoder);
        appender.start();

        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        Appender<ILoggingEvent> console = root.getAppender("CONSOLE");
        root.detachAppender("CONSOLE");
        root.addAppender(appender);
        root.setLevel(Level.INFO);
        context.getLogger("org.apache.kafka").setLevel(null);
        if (console != null) {
            context.getLogger("io.streammesh").addAppender(console);
        }
    }
}
