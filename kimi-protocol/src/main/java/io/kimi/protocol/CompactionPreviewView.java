package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code POST /api/sessions/{id}/compaction/preview}: what a compaction would replace, and its summary. */
public record CompactionPreviewView(
        @JsonProperty("session_id") String sessionId,
        @JsonProperty("messages_total") int messagesTotal,
        @JsonProperty("messages_replaced") int messagesReplaced,
        @JsonProperty("messages_kept") int messagesKept,
        @JsonProperty("tokens_before") long tokensBefore,
        @JsonProperty("tokens_after") long tokensAfter,
        @JsonProperty("saved_tokens") long savedTokens,
        @JsonProperty("summary") String summary,
        @JsonProperty("method") String method) {
}
