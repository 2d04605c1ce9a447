package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A page of sessions: {@code GET /api/sessions} and the {@code list_sessions} reply.
 *
 * @param total how many sessions match in all
 */
public record SessionList(@JsonProperty("sessions") List<SessionView> sessions, @JsonProperty("total") long total,
        @JsonProperty("limit") int limit, @JsonProperty("offset") int offset) {
}
