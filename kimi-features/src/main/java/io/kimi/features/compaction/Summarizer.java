package io.kimi.features.compaction;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Writes the summary that replaces a run of messages. Implementations are thread-safe and never block the caller. */
public interface Summarizer {

    /**
     * Summarises {@code messages} (chat messages in conversation order; never changed). The future never fails
     * for a summariser that has a fallback.
     */
    CompletableFuture<Summary> summarize(List<JsonNode> messages, SummaryRequest request);
}
