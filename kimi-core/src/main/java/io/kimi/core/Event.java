package io.kimi.core;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One entry of a session's event log. Event types are open strings: unknown ones are stored and shown.
 *
 * @param eventId unique id; appending the same id twice stores it once
 * @param sessionId the session it belongs to
 * @param timestamp when it happened (UTC)
 * @param iteration the convergence iteration, 0 for proxy sessions
 * @param state the convergence state, or {@code null}
 * @param eventType e.g. {@code STEP_COMPLETE}, {@code REQUEST_COMPLETED}
 * @param dataJson the event's {@code data} object as JSON text
 */
public record Event(
        String eventId,
        String sessionId,
        Instant timestamp,
        int iteration,
        String state,
        String eventType,
        String dataJson) {

    public Event {
        requireNonNull(eventId, "eventId");
        requireNonNull(sessionId, "sessionId");
        requireNonNull(timestamp, "timestamp");
        requireNonNull(eventType, "eventType");
        if (dataJson == null || dataJson.isBlank()) {
            dataJson = "{}";
        }
    }
}
