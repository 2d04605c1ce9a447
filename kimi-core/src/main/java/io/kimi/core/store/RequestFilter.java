package io.kimi.core.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * Which request records an aggregate covers: all of them, one session's, and/or those that arrived at or after
 * an instant.
 *
 * @param sessionId only this session's requests, or {@code null} for every session
 * @param since only requests that arrived at or after this instant, or {@code null} for all times
 */
public record RequestFilter(String sessionId, Instant since) {
    private static final RequestFilter ALL = new RequestFilter(null, null);

    /** Every stored request. */
    public static RequestFilter all() {
        return ALL;
    }

    /** One session's requests. */
    public static RequestFilter session(String sessionId) {
        return new RequestFilter(requireNonNull(sessionId, "sessionId"), null);
    }

    /** These requests, restricted to those that arrived at or after {@code instant}. */
    public RequestFilter since(Instant instant) {
        return new RequestFilter(sessionId, requireNonNull(instant, "instant"));
    }
}
