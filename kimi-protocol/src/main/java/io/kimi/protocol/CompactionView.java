package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A compaction: the replies of {@code POST /api/sessions/{id}/compaction} and {@code .../undo}, the items of
 * {@code GET /api/sessions/{id}/compaction}, and the data of {@code compaction_applied}/{@code compaction_undone}
 * events.
 *
 * @param method {@code model} or {@code heuristic}
 * @param undoneAt ISO-8601, {@code null} while active
 */
public record CompactionView(
        @JsonProperty("compaction_id") String compactionId,
        @JsonProperty("session_id") String sessionId,
        @JsonProperty("created_at") String createdAt,
        @JsonProperty("messages_replaced") int messagesReplaced,
        @JsonProperty("summary") String summary,
        @JsonProperty("method") String method,
        @JsonProperty("automatic") boolean automatic,
        @JsonProperty("tokens_before") long tokensBefore,
        @JsonProperty("tokens_after") long tokensAfter,
        @JsonProperty("saved_tokens") long savedTokens,
        @JsonProperty("active") boolean active,
        @JsonProperty("undone_at") String undoneAt) {
}
