package io.kimi.core;

/**
 * Characters that must not reach a header, a file name or a log line from outside: C0 and C1 controls, DEL, and
 * the Unicode line and paragraph separators (each can end a line or split a header). One rule for refusing such
 * ids at ingest and for making untrusted text printable in a log line.
 */
public final class ControlCharacters {
    private ControlCharacters() {
    }

    /** Whether {@code c} is a control character or a line or paragraph separator. */
    public static boolean isControl(char c) {
        return Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
    }

    /** The index of the first control character in {@code text}, or -1 when it has none. */
    public static int firstIn(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (isControl(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }
}
