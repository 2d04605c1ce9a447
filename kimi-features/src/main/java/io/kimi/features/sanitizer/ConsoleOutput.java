package io.kimi.features.sanitizer;

import java.util.regex.Pattern;

/**
 * Tells whether a {@code user} message is console or file output pasted by the user (or by an agent that
 * sends tool output as user messages), rather than something the user wrote. The rule, on the text with
 * leading and trailing whitespace removed; only its first line is examined, and only when that line is at most
 * {@value #MAX_HEADER_CHARS} characters long:
 * <ol>
 *   <li>the whole text is one markdown fenced block: it starts and ends with {@code ```} and holds no other
 *       line beginning with {@code ```};</li>
 *   <li>or the first line is a shell prompt: it starts with {@code $ }, {@code % }, {@code >>> } (Python),
 *       {@code PS <path>> }, {@code C:\...> }, or {@code user@host:<path>$ } (also with {@code #} or {@code %});</li>
 *   <li>or the first line starts with {@code Output:} (any case);</li>
 *   <li>or the first line is a file header: {@code ==> path <==} (as {@code head} and {@code tail} print),
 *       {@code File: <path>}, or a bare path (no spaces, at least one {@code /} or {@code \}, a file extension,
 *       optionally a drive letter first and a {@code :} last).</li>
 * </ol>
 * A markdown quote ({@code > }) is not taken for a prompt: users quote text that way.
 */
final class ConsoleOutput {
    static final int MAX_HEADER_CHARS = 300;

    private static final Pattern POWERSHELL = Pattern.compile("PS [^>\\n]{1,200}> .*");
    private static final Pattern WINDOWS_CMD = Pattern.compile("[A-Za-z]:\\\\[^>\\n]{0,200}> ?.*");
    private static final Pattern BARE_PATH = Pattern.compile(
            "(?:[A-Za-z]:[/\\\\]|\\./|~/|/)?[\\w.@+-]+(?:[/\\\\][\\w.@+-]+)+\\.[A-Za-z0-9]{1,10}:?");
    private static final Pattern USER_AT_HOST =
            Pattern.compile("[\\w.-]{1,64}@[\\w.-]{1,64}[: ][^$#%\\n]{0,200}[$#%] .*");
    private static final Pattern HEAD_TAIL = Pattern.compile("==> \\S.{0,250} <==");

    private ConsoleOutput() {
    }

    static boolean looksLikeOutput(String text) {
        String t = text.strip();
        if (t.isEmpty()) {
            return false;
        }
        int newline = t.indexOf('\n');
        String first = (newline < 0 ? t : t.substring(0, newline)).strip();
        if (first.length() > MAX_HEADER_CHARS) {
            return false;
        }
        if (first.startsWith("```")) {
            return isSingleFencedBlock(t);
        }
        return isPrompt(first) || first.regionMatches(true, 0, "output:", 0, 7) || isFileHeader(first);
    }

    private static boolean isSingleFencedBlock(String t) {
        if (t.length() < 6 || !t.endsWith("```")) {
            return false;
        }
        int fences = 0;
        int lineStart = 0;
        while (lineStart < t.length()) {
            int end = t.indexOf('\n', lineStart);
            if (end < 0) {
                end = t.length();
            }
            int i = lineStart;
            while (i < end && (t.charAt(i) == ' ' || t.charAt(i) == '\t')) {
                i++;
            }
            if (t.startsWith("```", i)) {
                fences++;
            }
            lineStart = end + 1;
        }
        return fences == 2;
    }

    /*
     * Each pattern is tried only when the line has what every match needs (a prefix, an '@', a separator and a
     * dot): most lines are prose, and a matcher per pattern per message was most of what the request's parse
     * allocated on the event loop (benchmarks/NOTES.md, issue 17).
     */

    private static boolean isPrompt(String first) {
        return first.startsWith("$ ") || first.startsWith("% ") || first.startsWith(">>> ")
                || (first.indexOf('@') > 0 && USER_AT_HOST.matcher(first).matches())
                || (first.startsWith("PS ") && POWERSHELL.matcher(first).matches())
                || (isDriveRoot(first) && WINDOWS_CMD.matcher(first).matches());
    }

    /** {@code C:\} and the like: what {@link #WINDOWS_CMD} starts with. */
    private static boolean isDriveRoot(String s) {
        if (s.length() < 3 || s.charAt(1) != ':' || s.charAt(2) != '\\') {
            return false;
        }
        char c = s.charAt(0);
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    private static boolean isFileHeader(String first) {
        if (first.startsWith("==> ") && HEAD_TAIL.matcher(first).matches()) {
            return true;
        }
        if (first.regionMatches(true, 0, "File:", 0, 5)) {
            String path = first.substring(5).strip();
            return !path.isEmpty() && path.indexOf(' ') < 0;
        }
        return mayBePath(first) && BARE_PATH.matcher(first).matches();
    }

    /** What every {@link #BARE_PATH} match has: no space, a separator and a dot. */
    private static boolean mayBePath(String s) {
        return s.indexOf(' ') < 0 && (s.indexOf('/') >= 0 || s.indexOf('\\') >= 0) && s.indexOf('.') >= 0;
    }
}
