package io.kimi.core.store;

import io.kimi.core.MemoryUsage;
import java.util.concurrent.CompletableFuture;

/** MCP memory figures per request, summed per session. */
public interface MemoryRecords extends QueuedWrites {

    /**
     * Adds one request's MCP memory figures to its session's sums, keeping a row of the request's own only when it
     * held memory markers. Each request is saved once (saving it again counts it again).
     */
    CompletableFuture<Void> saveMemoryUsage(MemoryUsage usage);

    /** MCP memory figures summed over one session's requests, or over every request when {@code sessionId} is null. */
    MemoryStats memoryStats(String sessionId);
}
