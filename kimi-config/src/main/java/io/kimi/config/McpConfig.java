package io.kimi.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * {@code [mcp]}: the MCP gateway ({@code POST /api/mcp-gateway/{server}/rpc}).
 *
 * @param workspace the only directory tree MCP calls may name files in ({@code MCP_WORKSPACE}, default
 *     {@code /workspace})
 * @param timeout default time limit of one forwarded call
 * @param maxResultBytes results longer than this are cut (head and tail kept, with a marker)
 * @param servers {@code [mcp.servers.<name>]} by name
 */
public record McpConfig(Path workspace, Duration timeout, int maxResultBytes, Map<String, McpServerConfig> servers) {
    public static final McpConfig DEFAULT = new McpConfig(Path.of("/workspace"), Duration.ofSeconds(30), 1 << 20,
            Map.of());

    public McpConfig {
        requireNonNull(workspace, "workspace");
        requireNonNull(timeout, "timeout");
        servers = Map.copyOf(requireNonNull(servers, "servers"));
        if (maxResultBytes < 1024) {
            throw new IllegalArgumentException("maxResultBytes: " + maxResultBytes + " (expected: >= 1024)");
        }
    }
}
