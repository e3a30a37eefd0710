package io.streammesh.cli;

import io.streammesh.connector.contract.DurationText;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a {@code --since}/{@code --until}: a UTC time, or a {@link DurationText duration} back from
 * now; anything else is a usage error showing both accepted forms.
 */
final class WhenConverter implements ITypeConverter<Instant> {

    /** The accepted forms, as every wrong value is told. */
    static final String FORMS = "give a duration back from now (30s, 5m, 12h, 7d, 2w) or a UTC time (2026-11-25T10:00:00Z)";

    @Override
    public Instant convert(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException notATime) {
            try {
                return Instant.now().minus(DurationText.parse(text));
            } catch (IllegalArgumentException | DateTimeException notADuration) {
                throw new TypeConversionException("'" + text + "' is neither a time nor a duration; " + FORMS);
            }
        }
    }
}
