package io.kimi.features.logs;

import java.util.regex.Pattern;

/** Scrubs credentials from log text before it leaves the watcher, and keeps messages to one short line. */
final class Redactor {

    static final int MAX_MESSAGE_CHARS = 300;

    private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]{6,}");
    private static final Pattern API_KEY = Pattern.compile("\\b(sk|pk|ak|key)-[A-Za-z0-9_-]{8,}");
    private static final Pattern KEY_VALUE = Pattern.compile(
            "(?i)((?:api[_-]?key|access[_-]?token|auth[_-]?token|password|secret)[\"']?\\s*[:=]\\s*[\"']?)"
                    + "[^\\s\"',}]{4,}");

    private Redactor() {
    }

    /** {@code text} with bearer tokens, {@code sk-...} keys and {@code api_key=...} values replaced. */
    static String scrub(String text) {
        String s = BEARER.matcher(text).replaceAll("$1****");
        s = API_KEY.matcher(s).replaceAll("$1-****");
        return KEY_VALUE.matcher(s).replaceAll("$1****");
    }

    /** Scrubbed, whitespace collapsed to single spaces, at most {@value #MAX_MESSAGE_CHARS} characters. */
    static String message(String text) {
        String s = scrub(text).replaceAll("\\s+", " ").strip();
        return s.length() <= MAX_MESSAGE_CHARS ? s : s.substring(0, MAX_MESSAGE_CHARS - 1) + "…";
    }
}
