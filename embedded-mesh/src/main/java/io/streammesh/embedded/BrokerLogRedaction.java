package io.streammesh.embedded;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.regex.Pattern;
import org.slf4j.Marker;
import org.slf4j.helpers.MessageFormatter;

/**
 * Keeps SCRAM credentials out of the log: when the broker or controller cannot handle a request
 * (a controller that is not the active one during a cluster's start, for one), Kafka logs the
 * whole request, and an {@code AlterUserScramCredentials} request holds each principal's salt
 * and salted password, which is all a client needs to authenticate as that principal (the
 * request logger's JSON form, and stored and server keys, likewise). Such a line is logged
 * again by the same logger at the same level with those values replaced by {@code [redacted]};
 * every other line passes untouched. Install it in logback's configuration:
 * {@code <turboFilter class="io.streammesh.embedded.BrokerLogRedaction"/>}.
 */
public final class BrokerLogRedaction extends TurboFilter {

    /** {@code salt=[1, 2]} as a request's toString writes it, {@code "salt":"AQI="} as its JSON does; never what this wrote. */
    private static final Pattern SECRET = Pattern.compile(
            "(salt|saltedPassword|storedKey|serverKey)(=\\[(?!redacted\\])[^\\]]*\\]|\"\\s*:\\s*\"(?!redacted\")[^\"]*\")");

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        // The broker's own loggers only (Kafka's server code logs from the kafka.* and org.apache.kafka.* packages).
        if (format == null || level == null || !logger.getName().contains("kafka") || !level.isGreaterOrEqual(logger.getEffectiveLevel())) {
            return FilterReply.NEUTRAL;
        }
        String message = params == null || params.length == 0 ? format : MessageFormatter.arrayFormat(format, params).getMessage();
        if (!SECRET.matcher(message).find()) {
            return FilterReply.NEUTRAL;
        }
        String redacted = SECRET.matcher(message).replaceAll(match -> match.group(2).startsWith("=")
                ? match.group(1) + "=[redacted]" : match.group(1) + "\":\"redacted\"");
        // logged again as what it was; its redacted form no longer matches, so this filter lets it through
        logger.log(marker, BrokerLogRedaction.class.getName(), Level.toLocationAwareLoggerInteger(level), "{}", new Object[] {redacted}, t);
        return FilterReply.DENY;
    }
}
