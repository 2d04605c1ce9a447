package io.kimi.client;

import java.util.List;

/** A page of a session's events, oldest first, and how many there are in all. */
public record EventPage(List<Event> events, long total, int limit, int offset) {
    public EventPage {
        events = events == null ? List.of() : List.copyOf(events);
    }
}
