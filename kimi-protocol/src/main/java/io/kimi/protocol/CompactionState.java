package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * {@code GET /api/sessions/{id}/compaction}: the settings, whether one is running, and the session's compactions.
 *
 * @param conversationSeen whether a request of the session was seen since start (else {@code messages} is 0)
 * @param messages the messages of its last request
 */
public record CompactionState(
        @JsonProperty("session_id") String sessionId,
        @JsonProperty("enabled") boolean enabled,
        @JsonProperty("auto") boolean auto,
        @JsonProperty("threshold") double threshold,
        @JsonProperty("keep_last_exchanges") int keepLastExchanges,
        @JsonProperty("running") boolean running,
        @JsonProperty("conversation_seen") boolean conversationSeen,
        @JsonProperty("messages") int messages,
        @JsonProperty("active") List<CompactionView> active,
        @JsonProperty("history") List<CompactionView> history) {
}
