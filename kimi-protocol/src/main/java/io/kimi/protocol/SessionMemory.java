package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

/** {@code GET /api/sessions/{id}/memory}: one session's {@link MemoryFigures}. */
public record SessionMemory(
        @JsonProperty("session_id") String sessionId,
        @JsonUnwrapped MemoryFigures figures) {
}
