package io.kimi.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * {@code [logs.sources.<name>]}: one log file to tail.
 *
 * @param name the source's name (in {@code /health})
 * @param path the file; it may not exist yet, and may be rotated or truncated
 * @param format how to read it: {@code continue} (Continue.dev {@code core.log}) or {@code kimi_cli}
 * @param sessionId the session its findings count in, or {@code null} for the active proxy session
 * @param fromStart read what the file holds at start (else only lines written after start)
 */
public record LogSourceConfig(String name, Path path, String format, String sessionId, boolean fromStart) {
    public LogSourceConfig {
        requireNonNull(name, "name");
        requireNonNull(path, "path");
        requireNonNull(format, "format");
    }
}
