package io.kimi.features.logs;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Instant;

/**
 * The health of one watched log, as {@code /health} shows it.
 *
 * @param name the source's configured name
 * @param path the file watched
 * @param format its configured format ({@code continue} or {@code kimi_cli})
 * @param state {@value #WAITING} (the file does not exist yet), {@value #TAILING}, {@value #ERROR} (it cannot
 *     be read, or its format is unknown: see {@code lastError}) or {@value #DISABLED} ({@code [logs]
 *     enabled = false})
 * @param position how far into the current file it has read, in bytes
 * @param findings how many findings it produced since start
 * @param lastFindingAt when its last finding was delivered (watcher clock), or {@code null}
 * @param lastError the last problem reading it, or {@code null}
 * @param skippedLines lines it could not use: relevant-looking but malformed lines, and lines longer than the
 *     line limit
 */
public record LogSourceStatus(String name, Path path, String format, String state, long position, long findings,
        Instant lastFindingAt, String lastError, long skippedLines) {

    public static final String WAITING = "waiting";
    public static final String TAILING = "tailing";
    public static final String ERROR = "error";
    public static final String DISABLED = "disabled";

    public LogSourceStatus {
        requireNonNull(name, "name");
        requireNonNull(path, "path");
        requireNonNull(format, "format");
        requireNonNull(state, "state");
    }
}
