package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * MCP memory in prompts: {@code GET /api/memory/stats}, and unwrapped into {@link SessionMemory}.
 *
 * @param memoryRatio memory's share of the prompt tokens, 0 to 1, four decimals
 */
public record MemoryFigures(
        @JsonProperty("requests") long requests,
        @JsonProperty("requests_with_memory") long requestsWithMemory,
        @JsonProperty("memory_tokens") long memoryTokens,
        @JsonProperty("chat_tokens") long chatTokens,
        @JsonProperty("markers") long markers,
        @JsonProperty("memory_ratio") double memoryRatio) {
}
