package io.kimi.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads {@code [logs]} and its {@code [logs.sources.<name>]} tables (in file order); keys the file leaves out
 * take {@link LogsConfig#DEFAULT}'s values. A source's {@code path} may use {@code ${VAR}}.
 */
final class LogsSection {
    static final List<String> KEYS = List.of("enabled", "poll_ms", "sources");
    static final List<String> SOURCE_KEYS = List.of("path", "format", "session_id", "from_start");
    /** Accepted {@code format} values. */
    static final List<String> FORMATS = List.of("continue", "kimi_cli");
    static final long MIN_POLL_MS = 10;
    static final long MAX_POLL_MS = Duration.ofMinutes(10).toMillis();

    private final EnvExpander expander;

    LogsSection(EnvExpander expander) {
        this.expander = requireNonNull(expander, "expander");
    }

    LogsConfig read(Table logs) {
        logs.requireOnly(KEYS);
        LogsConfig d = LogsConfig.DEFAULT;
        boolean enabled = logs.bool("enabled").orElse(d.enabled());
        Duration poll = Duration.ofMillis(logs.integer("poll_ms", MIN_POLL_MS, MAX_POLL_MS)
                .orElse(d.pollInterval().toMillis()));
        List<LogSourceConfig> sources = new ArrayList<>();
        for (Map.Entry<String, Table> entry : logs.tableOrEmpty("sources").tables().entrySet()) {
            sources.add(source(entry.getKey(), entry.getValue()));
        }
        return new LogsConfig(enabled, poll, sources);
    }

    private LogSourceConfig source(String name, Table s) {
        if (name.isBlank()) {
            throw s.error("a log source name must not be empty");
        }
        s.requireOnly(SOURCE_KEYS);
        String raw = s.nonBlankString("path").orElseThrow(() -> s.error("path",
                "missing (expected the log file to tail, e.g. \"${HOME}/.continue/logs/core.log\")"));
        String expanded = expander.expand(s, "path", raw).trim();
        if (expanded.isEmpty()) {
            throw s.error("path", "empty once ${...} is expanded (expected the log file to tail)");
        }
        Path path = toPath(s, expanded, raw);
        String format = s.string("format").orElseThrow(() -> s.error("format",
                "missing (accepted: " + String.join(", ", FORMATS) + ")"));
        if (!FORMATS.contains(format)) {
            String reason = "unknown log format \"" + format + "\" (accepted: " + String.join(", ", FORMATS) + ")";
            String suggestion = Spelling.closest(format, FORMATS);
            if (suggestion != null) {
                reason += "; did you mean \"" + suggestion + "\"?";
            }
            throw s.error("format", reason);
        }
        Optional<String> sessionId = s.string("session_id").map(String::trim).filter(id -> !id.isEmpty());
        boolean fromStart = s.bool("from_start").orElse(false);
        return new LogSourceConfig(name, path, format, sessionId.orElse(null), fromStart);
    }

    /** Names the value as written: the expanded one may hold what a variable holds. */
    private static Path toPath(Table s, String value, String raw) {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw s.error("path", "not a valid path (" + e.getReason() + "): \"" + raw + "\"");
        }
    }
}
