package io.kimi.core.hub;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans live messages out to listeners, synchronously, in publication order per publisher. A listener that
 * throws is logged and skipped; the others still receive the message. Thread-safe; one per server.
 */
public final class EventHub {
    private static final Logger log = LoggerFactory.getLogger(EventHub.class);

    private final CopyOnWriteArrayList<HubListener> listeners = new CopyOnWriteArrayList<>();

    /** Adds a listener; close the returned handle to remove it. */
    public AutoCloseable subscribe(HubListener listener) {
        requireNonNull(listener, "listener");
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    public void publish(HubMessage message) {
        requireNonNull(message, "message");
        for (HubListener listener : listeners) {
            try {
                listener.onMessage(message);
            } catch (RuntimeException e) {
                log.error("Hub listener {} failed on a {} message; other listeners are unaffected", listener,
                        message.type(), e);
            }
        }
    }

    public int listenerCount() {
        return listeners.size();
    }
}
