package io.kimi.core;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * How much of one request's prompt was MCP memory ({@code <mcp-memory>} blocks, {@code @memory[...]},
 * {@code @recall(...)} markers) and how much ordinary chat.
 *
 * @param requestId the request
 * @param sessionId its session
 * @param timestamp when it arrived
 * @param memoryTokens tokens inside memory markers
 * @param chatTokens the rest of the prompt's tokens
 * @param markers how many memory markers it held
 */
public record MemoryUsage(String requestId, String sessionId, Instant timestamp, int memoryTokens, int chatTokens,
        int markers) {

    public MemoryUsage {
        requireNonNull(requestId, "requestId");
        requireNonNull(sessionId, "sessionId");
        requireNonNull(timestamp, "timestamp");
    }
}
