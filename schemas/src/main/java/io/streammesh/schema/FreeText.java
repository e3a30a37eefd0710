package io.streammesh.schema;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * The rule for text a client writes that others read in their terminals and in the audit (an
 * access request's purpose, a decision's reason): at most {@value #MAX_LENGTH} characters and no
 * control characters, so that no one can forge rows or send escape sequences to another team's
 * terminal.
 */
public final class FreeText {

    /** Longest free text, in characters. */
    public static final int MAX_LENGTH = 500;
    /** Longest name a client writes (a product address, a view, a consumer group): Kafka's limit on topic names, and ample for a group. */
    public static final int MAX_NAME_LENGTH = 249;

    private FreeText() {
    }

    /**
     * @param field the field's name, for the message
     * @param text the text; null is fine (absent)
     * @return why the text is refused, naming the field; empty if it is fine
     */
    public static Optional<String> problem(String field, String text) {
        if (text == null) {
            return Optional.empty();
        }
        if (text.length() > MAX_LENGTH) {
            return Optional.of(field + " is " + text.length() + " characters long; at most " + MAX_LENGTH + " are allowed");
        }
        return controlProblem(field, text);
    }

    /**
     * @param field the field's name, for the message
     * @param name a name a client wrote (a product address, a view, a consumer group); null is fine (absent)
     * @return why it is refused (over {@value #MAX_NAME_LENGTH} characters, or a control character), naming
     *         the field and never quoting it; empty if it is fine
     */
    public static Optional<String> nameProblem(String field, String name) {
        if (name != null && name.length() > MAX_NAME_LENGTH) {
            return Optional.of(field + " is " + name.length() + " characters long; at most " + MAX_NAME_LENGTH + " are allowed");
        }
        return controlProblem(field, name);
    }

    /**
     * Shortens text a client wrote to what a record about it may quote.
     *
     * @param text the text; null is fine (absent)
     * @param length the most characters to keep, the ellipsis that marks a cut included
     * @return the text, or its first {@code length - 1} characters and "…"
     */
    public static String cut(String text, int length) {
        return text == null || text.length() <= length ? text : text.substring(0, length - 1) + "…";
    }

    /**
     * @param field the field's name, for the message
     * @param text the text; null is fine (absent)
     * @return why the text is refused when it holds a control character, naming the field and
     *         the character's code (never the text itself); empty if it holds none
     */
    public static Optional<String> controlProblem(String field, String text) {
        if (text == null) {
            return Optional.empty();
        }
        OptionalInt control = text.codePoints().filter(FreeText::isControl).findFirst();
        if (control.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(field + " contains control character U+" + String.format("%04X", control.getAsInt())
                + " (newlines, escape sequences and other control characters are not allowed)");
    }

    /** C0, DEL, C1, and the format characters that reorder or break lines as readers see them (bidi controls, line and paragraph separators). */
    private static boolean isControl(int codePoint) {
        return Character.isISOControl(codePoint) || codePoint == 0x2028 || codePoint == 0x2029
                || codePoint >= 0x202A && codePoint <= 0x202E || codePoint >= 0x2066 && codePoint <= 0x2069
                || codePoint == 0x200E || codePoint == 0x200F || codePoint == 0x061C;
    }
}
