package io.kimi.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * {@code [features.tool_repair]}: fixes tool calls without an id, object {@code arguments}, and malformed argument
 * JSON.
 *
 * @param enabled whether it runs
 * @param maxArgumentBytes argument strings longer than this are left as they are (not repaired)
 * @param budget the longest time spent repairing one request's arguments; past it the rest are left as they are
 */
public record ToolRepairConfig(boolean enabled, int maxArgumentBytes, Duration budget) {
    public static final ToolRepairConfig DEFAULT = new ToolRepairConfig(true, 256 * 1024, Duration.ofMillis(50));

    public ToolRepairConfig {
        requireNonNull(budget, "budget");
        if (maxArgumentBytes < 0) {
            throw new IllegalArgumentException("maxArgumentBytes: " + maxArgumentBytes + " (expected: >= 0)");
        }
    }
}
