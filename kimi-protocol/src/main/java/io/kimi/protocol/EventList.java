package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** {@code GET /api/sessions/{id}/events}: a page of a session's events, oldest first. */
public record EventList(
        @JsonProperty("events") List<EventView> events,
        @JsonProperty("total") long total,
        @JsonProperty("limit") int limit,
        @JsonProperty("offset") int offset) {
}
