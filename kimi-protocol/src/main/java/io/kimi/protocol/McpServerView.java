package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * An MCP server's last known health, an item of {@code GET /api/memory/servers}.
 *
 * @param status {@code up}, {@code down} or {@code unknown}
 * @param latencyMs of the last call, {@code null} before any
 * @param lastChecked ISO-8601, {@code null} before any call
 */
public record McpServerView(
        @JsonProperty("name") String name,
        @JsonProperty("url") String url,
        @JsonProperty("status") String status,
        @JsonProperty("latency_ms") Long latencyMs,
        @JsonProperty("last_checked") String lastChecked,
        @JsonProperty("last_error") String lastError) {
}
