package io.streammesh.cli;

import ch.qos.logback.classic.ClassicConstants;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import io.streammesh.embedded.BrokerLogRedaction;
import org.slf4j.Logger;

/**
 * How {@code mesh} logs until a long-running command sends everything to a file ({@link LogFile}):
 * warnings and errors on standard error, as {@code LEVEL Logger: message}; Kafka's and Flink's
 * clients and Apicurio's schema cache silent (commands report failures as one-line errors
 * themselves, and Apicurio logs a failed lookup with the whole schema); broker log lines carrying
 * salted passwords redacted ({@link BrokerLogRedaction}). Set in code rather than in a
 * {@code logback.xml}: parsing the XML and searching the class path for configuration files were a
 * tenth of the CPU of a one-record {@code mesh produce}. A {@code -Dlogback.configurationFile}
 * still wins (the tests log through one).
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class CommandLogging extends ContextAwareBase implements Configurator {

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty(ClassicConstants.CONFIG_FILE_PROPERTY) != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        var redaction = new BrokerLogRedaction();
        redaction.setContext(context);
        redaction.start();
        context.addTurboFilter(redaction);

        var warnings = new ThresholdFilter();
        warnings.setLevel(Level.WARN.levelStr);
        warnings.start();
        var encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%-5level %logger{0}: %msg%n");
        encoder.start();
        var console = new ConsoleAppender<ILoggingEvent>();
        console.setContext(context);
        console.setName("CONSOLE");
        console.setTarget("System.err");
        console.addFilter(warnings);
        console.setEncoder(encoder);
        console.start();

        context.getLogger("org.apache.kafka").setLevel(Level.OFF);
        context.getLogger("org.apache.flink").setLevel(Level.OFF);
        context.getLogger("io.apicurio.registry.resolver.ERCache").setLevel(Level.OFF);
        var root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(console);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
