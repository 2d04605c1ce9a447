package io.kimi.client;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one connection pushes before it is ready (its subscriptions restored and {@code onConnect} dispatched):
 * held back, up to {@link #LIMIT} listener calls, then delivered in order. What comes past the limit is dropped,
 * counted and logged. Thread-safe.
 */
final class EarlyMessages {
    private static final Logger log = LoggerFactory.getLogger(WebSocketClient.class);
    /** Listener calls a connection may hold back until it is ready. */
    static final int LIMIT = 1_000;

    private final URI uri;
    private boolean ready;
    private final List<Runnable> held = new ArrayList<>();
    private long dropped;

    EarlyMessages(URI uri) {
        this.uri = uri;
    }

    /** Holds {@code call} back while not ready (dropping it past the limit); whether it was held back. */
    synchronized boolean holdBack(Runnable call) {
        if (ready) {
            return false;
        }
        if (held.size() < LIMIT) {
            held.add(call);
        } else if (dropped++ == 0) {
            log.warn("More than {} messages from {} arrived before its subscriptions were restored;"
                    + " dropping the rest until they are", LIMIT, uri);
        }
        return true;
    }

    /** Ready: what was held back goes to {@code dispatch}, in order; later calls are not held back. */
    synchronized void release(Consumer<Runnable> dispatch) {
        ready = true;
        held.forEach(dispatch);
        held.clear();
        if (dropped > 0) {
            log.warn("Dropped {} messages from {} that arrived before its subscriptions were restored", dropped, uri);
        }
    }
}
