package io.kimi.features.logs;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Locale;

/**
 * Reads one log format line by line and reports what it finds. One instance per source (parsers keep state
 * between lines: multi-line entries, the current model); used by one thread at a time.
 */
interface LogParser {

    /** Where a parser reports to. */
    interface Sink {
        /**
         * A finding; the watcher adds the source's name and session.
         *
         * @param timestamp when the log says it happened, or {@code null} when it does not say
         */
        void found(LogFinding.Kind kind, Instant timestamp, String model, int promptTokens, int completionTokens,
                String message);

        /** A line that looked relevant but could not be read. */
        void malformed(String reason);
    }

    /** Reads one complete line (without its line terminator). */
    void line(String line, Sink sink);

    /**
     * Called when no new line came for a while (one poll) and when a file ends (rotation, truncation): a
     * pending multi-line entry is complete.
     */
    void flush(Sink sink);

    /**
     * The parser for {@code format}, or {@code null} when the format is unknown.
     *
     * @param json reads the JSON lines of the formats that have them
     */
    static LogParser forFormat(String format, ZoneId zone, ObjectMapper json) {
        return switch (format.toLowerCase(Locale.ROOT)) {
            case "continue" -> new ContinueLogParser();
            case "kimi_cli" -> new KimiCliLogParser(zone, json);
            default -> null;
        };
    }
}
