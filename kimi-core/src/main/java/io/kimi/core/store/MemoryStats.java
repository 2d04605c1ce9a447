package io.kimi.core.store;

/**
 * MCP memory use summed over requests.
 *
 * @param requests requests counted
 * @param requestsWithMemory of which held at least one memory marker
 * @param memoryTokens tokens inside memory markers
 * @param chatTokens the other prompt tokens
 * @param markers memory markers seen
 */
public record MemoryStats(long requests, long requestsWithMemory, long memoryTokens, long chatTokens, long markers) {
    public static final MemoryStats EMPTY = new MemoryStats(0, 0, 0, 0, 0);

    /** Memory's share of the prompt tokens, 0 to 1 (0 when nothing was counted). */
    public double memoryRatio() {
        long total = memoryTokens + chatTokens;
        return total == 0 ? 0 : (double) memoryTokens / total;
    }
}
