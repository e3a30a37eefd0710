package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class TerminalTextTest {

    @Test
    void newlinesAndEscapeSequencesStayVisibleOnOneLine() {
        assertThat(TerminalText.escape("dashboards\nr-1  APPROVED\u001b[2K\u001b]0;owned\u0007"))
                .isEqualTo("dashboards\\nr-1  APPROVED\\u001b[2K\\u001b]0;owned\\u0007");
    }

    @Test
    void everyC0AndC1ControlAndDelIsEscaped() {
        assertThat(TerminalText.escape("\r\t\u0000\u007f\u0085\u009b31m")).isEqualTo("\\r\\t\\u0000\\u007f\\u0085\\u009b31m");
    }

    @Test
    void lineSeparatorsAndBidiControlsThatReorderTheTextAreEscaped() {
        assertThat(TerminalText.escape("a\u2028b\u202egnp.exe\u2066c")).isEqualTo("a\\u2028b\\u202egnp.exe\\u2066c");
    }

    @Test
    void printableTextIncludingAccentsEmojiAndBackslashesIsLeftAsItIs() {
        String text = "Zoë's café ☕ 👩‍💻 record.email.matches('^[^@]+@[a-z.]+\\\\.[a-z]+$')";
        assertThat(TerminalText.escape(text)).isSameAs(text);
    }

    @Test
    void printfEscapesTheValuesButNotTheFormat() {
        var out = new StringWriter();
        TerminalText.printf(new PrintWriter(out), "%s: %d%n", "a\nb", 3);
        assertThat(out.toString()).isEqualTo("a\\nb: 3" + System.lineSeparator());
    }

    @Test
    void jsonEscapesEveryControlCharacterAndStaysValidJson() throws Exception {
        var node = new ObjectMapper().createObjectNode().put("purpose", "x\n\u001b[31m\u009b\u007f\u202e");

        String json = TerminalText.json(node, false);

        assertThat(json).isEqualTo("{\"purpose\":\"x\\n\\u001B[31m\\u009b\\u007F\\u202e\"}");
        assertThat(new ObjectMapper().readTree(json)).isEqualTo(node);
    }

    @Test
    void aTableRowWithANewlineInACellIsStillOneRow() {
        var out = new StringWriter();
        new Table("REQUEST", "PURPOSE").row("r-1", "x\nr-2  APPROVED").print(new PrintWriter(out));
        assertThat(out.toString().lines()).containsExactly("REQUEST  PURPOSE", "r-1      x\\nr-2  APPROVED");
    }
}
