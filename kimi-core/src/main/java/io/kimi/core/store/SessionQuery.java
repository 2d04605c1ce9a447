package io.kimi.core.store;

import io.kimi.core.SessionKind;
import io.kimi.core.SessionStatus;

/**
 * Filters and paging for listing sessions, newest first.
 *
 * @param kind only this kind, or {@code null} for all
 * @param status only this status, or {@code null} for all
 * @param limit at most this many (1-1000)
 * @param offset skip this many (>= 0)
 */
public record SessionQuery(SessionKind kind, SessionStatus status, int limit, int offset) {
    public static final int MAX_LIMIT = 1000;

    public SessionQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: 1-" + MAX_LIMIT + ")");
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset: " + offset + " (expected: >= 0)");
        }
    }
}
