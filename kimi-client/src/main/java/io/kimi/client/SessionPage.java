package io.kimi.client;

import java.util.List;

/** A page of sessions, newest first, and how many match in all. */
public record SessionPage(List<Session> sessions, long total, int limit, int offset) {
    public SessionPage {
        sessions = sessions == null ? List.of() : List.copyOf(sessions);
    }
}
