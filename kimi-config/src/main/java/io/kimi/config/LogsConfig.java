package io.kimi.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * {@code [logs]}: IDE and CLI logs tailed for requests the proxy did not see.
 *
 * @param enabled whether the watcher runs
 * @param pollInterval how often each file is checked for new lines, rotation and truncation
 * @param sources {@code [logs.sources.<name>]}
 */
public record LogsConfig(boolean enabled, Duration pollInterval, List<LogSourceConfig> sources) {
    public static final LogsConfig DEFAULT = new LogsConfig(true, Duration.ofMillis(500), List.of());

    public LogsConfig {
        requireNonNull(pollInterval, "pollInterval");
        sources = List.copyOf(requireNonNull(sources, "sources"));
    }
}
