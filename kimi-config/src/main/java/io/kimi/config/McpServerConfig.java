package io.kimi.config;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;

/**
 * {@code [mcp.servers.<name>]}: one MCP server reached over HTTP (JSON-RPC 2.0 POSTed to {@code url}).
 *
 * @param name the name in the gateway route
 * @param url its JSON-RPC endpoint ({@code http://} or {@code https://})
 * @param timeout time limit of one call ({@code [mcp] timeout_ms} when not set)
 * @param authToken sent as a Bearer token, or {@code null}; resolved at use, never shown
 */
public record McpServerConfig(String name, URI url, Duration timeout, Secret authToken) {
    public McpServerConfig {
        requireNonNull(name, "name");
        requireNonNull(url, "url");
        requireNonNull(timeout, "timeout");
    }
}
