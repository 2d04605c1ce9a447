package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** {@code GET /api/memory/servers}: the MCP workspace and every configured server's health. */
public record McpServers(
        @JsonProperty("workspace") String workspace,
        @JsonProperty("servers") List<McpServerView> servers) {
}
