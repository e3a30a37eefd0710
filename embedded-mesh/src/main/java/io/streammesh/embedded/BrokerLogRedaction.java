package io.streammesh.embedded;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.regex.Pattern;
import org.slf4j.Marker;

/**
 * Keeps SCRAM credentials out of the log: when the broker or controller cannot handle a request
 * (a controller that is not the active one during a cluster's start, for one), Kafka logs the
 * whole request, and an {@code AlterUserScramCredentials} request holds each principal's salt
 * and salted password, which is all a client needs to authenticate as that principal. Such a
 * line is logged again with those values replaced by {@code [redacted]}, at its level, under
 * this class's logger; every other line passes untouched. Install it in logback's configuration:
 * {@code <turboFilter class="io.streammesh.embedded.BrokerLogRedaction"/>}.
 */
public final class BrokerLogRedaction extends TurboFilter {

    private static final Pattern SECRET = Pattern.compile("(saltedPassword|salt)=\\[[^\\]]*\\]");

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        // The broker's own loggers only (Kafka's server code logs from the kafka.* and org.apache.kafka.* packages).
        if (format == null || level == null || !logger.getName().contains("kafka") || !level.isGreaterOrEqual(logger.getEffectiveLevel())
                || !SECRET.matcher(format).find()) {
            return FilterReply.NEUTRAL;
        }
        String redacted = SECRET.matcher(format).replaceAll("$1=[redacted]");
        Logger out = logger.getLoggerContext().getLogger(BrokerLogRedaction.class);
        switch (level.toInt()) {
            case Level.ERROR_INT -> out.error("{}: {}", logger.getName(), redacted, t);
            case Level.WARN_INT -> out.warn("{}: {}", logger.getName(), redacted, t);
            case Level.INFO_INT -> out.info("{}: {}", logger.getName(), redacted, t);
            default -> out.debug("{}: {}", logger.getName(), redacted, t);
        }
        return FilterReply.DENY;
    }
}
