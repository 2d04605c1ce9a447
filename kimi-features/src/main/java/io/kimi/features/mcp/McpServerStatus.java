package io.kimi.features.mcp;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * The health of one configured MCP server, as {@code GET /api/memory/servers} shows it.
 *
 * @param name the server's name in the gateway route
 * @param url its endpoint without user info, query or fragment (never a credential)
 * @param status {@code "up"} (its last call or probe got a JSON-RPC reply, or an HTTP 4xx showing it is
 *     alive), {@code "down"} (timeout, connection failure, HTTP 5xx, a reply that is not JSON-RPC, or its
 *     token's variable is unset) or {@code "unknown"} (never called nor probed)
 * @param latencyMs how long its last call or probe took, or {@code null} when unknown
 * @param lastChecked when its last call or probe ended, or {@code null}
 * @param lastError what went wrong the last time, or {@code null} when the last call was fine
 */
public record McpServerStatus(String name, String url, String status, Long latencyMs, Instant lastChecked,
        String lastError) {

    public static final String UP = "up";
    public static final String DOWN = "down";
    public static final String UNKNOWN = "unknown";

    public McpServerStatus {
        requireNonNull(name, "name");
        requireNonNull(url, "url");
        requireNonNull(status, "status");
    }
}
