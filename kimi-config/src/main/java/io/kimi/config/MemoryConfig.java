package io.kimi.config;

/**
 * {@code [features.memory]}: counts MCP memory markers ({@code <mcp-memory>}, {@code @memory[...]},
 * {@code @recall(...)}) apart from chat tokens. Never changes a request.
 *
 * @param enabled whether it runs
 */
public record MemoryConfig(boolean enabled) {
    public static final MemoryConfig DEFAULT = new MemoryConfig(true);
}
