package io.kimi.client;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;

/**
 * One event of a session's log, as {@code GET /api/sessions/{id}/events} and the WebSocket's {@code event}
 * messages carry it.
 *
 * @param eventId unique id
 * @param timestamp when it happened
 * @param sessionId the session it belongs to
 * @param iteration the convergence iteration (0 for proxy sessions)
 * @param state the convergence state (e.g. {@code VALIDATING}), or {@code null}
 * @param eventType e.g. {@link EventType#STEP_COMPLETE}; unknown types are kept as they come
 * @param data the event's payload (never {@code null}; JSON objects as maps, arrays as lists)
 */
public record Event(String eventId, Instant timestamp, String sessionId, int iteration, String state,
        EventType eventType, Map<String, Object> data) {
    public Event {
        data = data == null ? Map.of() : Collections.unmodifiableMap(data);
    }

    /** {@code data.get(key)} as text, or {@code null}. */
    public String dataText(String key) {
        Object v = data.get(key);
        return v == null ? null : v.toString();
    }
}
