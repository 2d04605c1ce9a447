package io.kimi.services.internal.features;

import java.time.Instant;

/** Told the prompt size of every recorded request, so it may start an automatic compaction (never inline). */
@FunctionalInterface
public interface CompactionTrigger {
    CompactionTrigger NONE = (sessionId, promptTokens, contextWindow, now) -> { };

    void afterRequest(String sessionId, int promptTokens, int contextWindow, Instant now);
}
