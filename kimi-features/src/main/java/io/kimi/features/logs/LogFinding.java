package io.kimi.features.logs;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One thing a watched log says about a request the proxy did not see; becomes a request record of source
 * {@code Logs}, {@code CompileChat} or {@code Erreur}.
 *
 * @param source the log source's configured name
 * @param kind what was found
 * @param timestamp when the log says it happened (the watcher's clock when the line has no time)
 * @param model the model the log names, or {@code null}
 * @param promptTokens prompt tokens the log reports (0 when none)
 * @param completionTokens completion tokens the log reports (0 when none)
 * @param message a one-line description (secrets scrubbed), or {@code null}
 * @param sessionId the session configured for the source, or {@code null} for the active proxy session
 */
public record LogFinding(String source, Kind kind, Instant timestamp, String model, int promptTokens,
        int completionTokens, String message, String sessionId) {

    /** What a finding is. */
    public enum Kind {
        /** Token usage of a request ({@code Logs} on the dashboard). */
        LOGS,
        /** Continue's chat compilation report: the token counts of a prompt that did not fit. */
        COMPILE_CHAT,
        /** A provider or client error ({@code Erreur} on the dashboard). */
        ERROR
    }

    public LogFinding {
        requireNonNull(source, "source");
        requireNonNull(kind, "kind");
        requireNonNull(timestamp, "timestamp");
        if (promptTokens < 0) {
            throw new IllegalArgumentException("promptTokens: " + promptTokens + " (expected: >= 0)");
        }
        if (completionTokens < 0) {
            throw new IllegalArgumentException("completionTokens: " + completionTokens + " (expected: >= 0)");
        }
    }
}
