package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The convergence bridge's state: {@code convergence} of {@code GET /health} and {@code bridge} of
 * {@code GET /api/metrics}.
 *
 * @param state {@code connected}, {@code connecting}, {@code waiting}, {@code mock} or {@code disabled}
 * @param label the state in French, for the page
 * @param connectedSince ISO-8601, or {@code null} while not connected
 * @param nextAttemptAt ISO-8601 time of the next connection attempt, or {@code null}
 */
public record BridgeState(
        @JsonProperty("state") String state,
        @JsonProperty("label") String label,
        @JsonProperty("url") String url,
        @JsonProperty("connected_since") String connectedSince,
        @JsonProperty("last_message_at") String lastMessageAt,
        @JsonProperty("messages_received") long messagesReceived,
        @JsonProperty("events_accepted") long eventsAccepted,
        @JsonProperty("connections") long connections,
        @JsonProperty("reconnects") long reconnects,
        @JsonProperty("invalid_events") long invalidEvents,
        @JsonProperty("read_pauses") long readPauses,
        @JsonProperty("last_error") String lastError,
        @JsonProperty("next_attempt_at") String nextAttemptAt) {
}
