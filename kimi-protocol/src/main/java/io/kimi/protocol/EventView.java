package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One event, flat, as seed 002 shows it ({@code GET /api/sessions/{id}/events}, exports, and unwrapped into the
 * {@code event} message).
 *
 * @param timestamp ISO-8601
 * @param iteration the convergence iteration, 0 for proxy sessions
 * @param state the convergence state, or {@code null}
 * @param eventType e.g. {@code STEP_COMPLETE}
 * @param data the event's payload object
 */
public record EventView(
        @JsonProperty("event_id") String eventId,
        @JsonProperty("timestamp") String timestamp,
        @JsonProperty("session_id") String sessionId,
        @JsonProperty("iteration") int iteration,
        @JsonProperty("state") String state,
        @JsonProperty("event_type") String eventType,
        @JsonProperty("data") Object data) {
}
