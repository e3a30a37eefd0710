package io.streammesh.schema;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How sensitive a product's data is, as its contract declares it ({@code classification:}).
 *
 * <p>On the wire a registration carries it twice. {@code classificationLevel} is the Avro enum
 * {@link ClassificationLevel}, whose default makes a level an older reader does not know read as
 * {@code RESTRICTED}, the most sensitive. {@code classification} stays the lower-case
 * {@linkplain #label() label}, a string, because Avro cannot resolve a string written by an older
 * writer into an enum reader: the registration topics and the catalog changelog of existing meshes
 * hold records with the string only, and so may records of domain clients built before the enum.
 * Writers set both ({@link #level()}, {@link #label()}); readers take
 * {@link #declaredBy(ProductRegistration)}, which prefers the enum, and the catalog rejects a
 * registration whose two disagree. The labels live here, and every boundary converts through
 * them: the contract validator (what a domain may publish), governance in the catalog (what it
 * accepts).
 */
public enum Classification {
    /** Anyone may know it. */
    PUBLIC,
    /** Anyone in the organisation may know it. */
    INTERNAL,
    /** Only those with a business need. */
    CONFIDENTIAL,
    /** The most sensitive: personal or regulated data. */
    RESTRICTED;

    /** @return the label contracts and registrations spell it with, e.g. {@code confidential} */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param label a classification as written in a contract or a registration
     * @return the classification; empty when the text is none of the {@linkplain #labels() labels}
     *         (case matters: {@code Public} is none)
     */
    public static Optional<Classification> of(String label) {
        return Arrays.stream(values()).filter(c -> c.label().equals(label)).findFirst();
    }

    /**
     * @param field where the label was read, for the message, e.g. {@code classification}
     * @param label a classification as written in a contract or a registration
     * @return the classification
     * @throws IllegalArgumentException one line naming the field, the text and the allowed labels
     */
    public static Classification parse(String field, String label) {
        return of(label).orElseThrow(() -> new IllegalArgumentException(
                field + ": '" + label + "' is not one of " + labels()));
    }

    /** @return every label, in order of sensitivity: {@code public, internal, confidential, restricted} */
    public static String labels() {
        return Arrays.stream(values()).map(Classification::label).collect(Collectors.joining(", "));
    }

    /** @return this classification as the registration's Avro enum carries it */
    public ClassificationLevel level() {
        return ClassificationLevel.valueOf(name());
    }

    /**
     * @param registration a registration, of any age
     * @return its classification: {@code classificationLevel} when it has one, else its
     *         {@code classification} label; empty when it has neither or the label is none of the
     *         {@linkplain #labels() labels}
     */
    public static Optional<Classification> declaredBy(ProductRegistration registration) {
        if (registration.getClassificationLevel() != null) {
            return Optional.of(valueOf(registration.getClassificationLevel().name()));
        }
        return of(registration.getClassification());
    }

    @Override
    public String toString() {
        return label();
    }
}
