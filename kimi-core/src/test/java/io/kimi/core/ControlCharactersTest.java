package io.kimi.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ControlCharactersTest {
    @Test
    void c0C1DelAndTheUnicodeLineAndParagraphSeparatorsAreControls() {
        for (char c : new char[] {'\0', '\t', '\n', '\r', '\u001b', '\u007f', '\u0085', '\u009f', '\u2028', '\u2029'}) {
            assertThat(ControlCharacters.isControl(c)).as("U+%04X", (int) c).isTrue();
        }
        for (char c : new char[] {' ', 'a', 'é', '€', '\u00a0', '\u200b', '中'}) {
            assertThat(ControlCharacters.isControl(c)).as("U+%04X", (int) c).isFalse();
        }
    }

    @Test
    void firstInGivesTheIndexOfTheFirstControlOrMinusOne() {
        assertThat(ControlCharacters.firstIn("session-1")).isEqualTo(-1);
        assertThat(ControlCharacters.firstIn("")).isEqualTo(-1);
        assertThat(ControlCharacters.firstIn("abc\r\nSet-Cookie: x")).isEqualTo(3);
        assertThat(ControlCharacters.firstIn("a\u2028b\u0000")).isEqualTo(1);
    }
}
