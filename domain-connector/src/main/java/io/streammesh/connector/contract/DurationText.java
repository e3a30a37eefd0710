package io.streammesh.connector.contract;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Pattern;

/** Durations as people write them in contracts: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 12h}, {@code 30d}, {@code 2w}, or ISO-8601 ({@code PT5M}). */
public final class DurationText {

    private static final String FORMS = "write e.g. 30s, 5m, 12h, 30d or 2w";
    private static final Pattern SHORT = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d|w)");

    private DurationText() {
    }

    /**
     * @param text the duration
     * @return it, positive
     * @throws IllegalArgumentException saying what is accepted
     */
    public static Duration parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        var m = SHORT.matcher(t);
        Duration duration;
        if (m.matches()) {
            try {
                long n = Long.parseLong(m.group(1));
                duration = switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    case "d" -> Duration.ofDays(n);
                    default -> Duration.ofDays(Math.multiplyExact(7, n));
                };
            } catch (NumberFormatException | ArithmeticException e) {
                throw new IllegalArgumentException("'" + text + "' is too long a duration; " + FORMS);
            }
        } else {
            try {
                duration = Duration.parse(text.strip().toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("'" + text + "' is not a duration; " + FORMS);
            }
        }
        if (duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException("'" + text + "' must be longer than zero");
        }
        return duration;
    }
}
