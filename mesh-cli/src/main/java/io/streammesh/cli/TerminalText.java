package io.streammesh.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.util.Arrays;

/**
 * Text from the mesh's data made safe for a terminal. Purposes, reasons, descriptions and query
 * results are written by other principals: a newline in them would print a row that is not
 * there, an ESC or OSC sequence would recolour, retitle or rewrite the reader's terminal. Every
 * printer of the CLI passes such text through {@link #escape(String)}, which keeps it on one line
 * with the control characters visible. JSON output goes through {@link #json(JsonNode)}: JSON
 * escapes C0 itself, this writer also the rest of the same set.
 */
final class TerminalText {

    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        JSON.getFactory().setCharacterEscapes(new ControlEscapes());
    }

    private TerminalText() {
    }

    /**
     * @param text text from the data; may be null
     * @return it with every control character written out: {@code \n}, {@code \r}, {@code \t},
     *         others as {@code \}{@code u001b}; C0, DEL, C1, line and paragraph separators and bidi
     *         controls (which reorder what the reader sees); null as {@code null}
     */
    static String escape(String text) {
        if (text == null) {
            return "null";
        }
        if (text.codePoints().noneMatch(TerminalText::isControl)) {
            return text;
        }
        var escaped = new StringBuilder(text.length() + 16);
        text.codePoints().forEach(c -> {
            if (!isControl(c)) {
                escaped.appendCodePoint(c);
            } else if (c == '\n') {
                escaped.append("\\n");
            } else if (c == '\r') {
                escaped.append("\\r");
            } else if (c == '\t') {
                escaped.append("\\t");
            } else {
                escaped.append(String.format("\\u%04x", c));
            }
        });
        return escaped.toString();
    }

    /**
     * Prints a line whose arguments come from the data: each is escaped, the format (ours) is not.
     *
     * @param out where to print
     * @param format a {@link java.util.Formatter} format
     * @param args the values; text (anything not a number) is escaped
     */
    static void printf(PrintWriter out, String format, Object... args) {
        out.printf(format, Arrays.stream(args).map(a -> a == null || a instanceof Number ? a : escape(a.toString())).toArray());
    }

    /**
     * @param node JSON from the mesh
     * @param indented indented over several lines, or on one line
     * @return it with every control character {@code \}{@code uXXXX}-escaped
     */
    static String json(JsonNode node, boolean indented) {
        try {
            return (indented ? JSON.writerWithDefaultPrettyPrinter() : JSON.writer()).writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always writes", e);
        }
    }

    private static boolean isControl(int c) {
        return Character.getType(c) == Character.CONTROL
                || c == '\u2028' || c == '\u2029'
                || c == '\u061c' || c == '\u200e' || c == '\u200f'
                || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
    }

    /** Jackson escapes C0 in strings already; DEL, C1 and the rest it writes as they are unless told. */
    private static final class ControlEscapes extends CharacterEscapes {
        private static final long serialVersionUID = 1L;
        private final int[] ascii = standardAsciiEscapesForJSON();

        ControlEscapes() {
            ascii[0x7f] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int c) {
            return isControl(c) ? new SerializedString(String.format("\\u%04x", c)) : null;
        }
    }
}
