package io.kimi.services.internal.features;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.core.Event;
import io.kimi.core.Ids;
import io.kimi.core.store.EventLog;
import io.kimi.services.internal.LiveFeed;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends a proxy session's feature events (COMPACTION_APPLIED, CONTENT_MASKED, ...) to its event log and pushes
 * them live. A failed write is logged, never thrown. Thread-safe.
 */
public final class FeatureEvents {
    private static final Logger log = LoggerFactory.getLogger(FeatureEvents.class);

    private final EventLog store;
    private final LiveFeed feed;
    private final Clock clock;
    private final ObjectMapper json;

    public FeatureEvents(EventLog store, LiveFeed feed, ObjectMapper json, Clock clock) {
        this.store = requireNonNull(store, "store");
        this.feed = requireNonNull(feed, "feed");
        this.json = requireNonNull(json, "json");
        this.clock = requireNonNull(clock, "clock");
    }

    public ObjectNode newData() {
        return json.createObjectNode();
    }

    /** Stores and pushes one event of {@code type} in the session; returns it. */
    public Event emit(String sessionId, String type, ObjectNode data) {
        Event event = new Event(Ids.timeOrdered().toString(), sessionId, clock.instant(), 0, null, type,
                data.toString());
        store.appendEvent(event).whenComplete((stored, e) -> {
            if (e != null) {
                log.error("Could not store the {} event of session {}", type, sessionId, e);
            }
        });
        try {
            feed.event(event);
        } catch (RuntimeException e) {
            log.error("Could not push the {} event of session {}", type, sessionId, e);
        }
        return event;
    }
}
