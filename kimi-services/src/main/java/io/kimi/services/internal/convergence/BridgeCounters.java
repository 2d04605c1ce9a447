package io.kimi.services.internal.convergence;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** What the convergence bridge counted since start, for {@link BridgeStatus}; thread-safe. */
final class BridgeCounters {
    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong invalid = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong readPauses = new AtomicLong();
    private volatile Instant lastMessageAt;

    void messageReceived(Instant at) {
        messages.incrementAndGet();
        lastMessageAt = at;
    }

    void accepted(long events) {
        accepted.addAndGet(events);
    }

    /** Events (or whole messages) dropped because they were not valid. */
    void invalid(long events) {
        invalid.addAndGet(events);
    }

    void connected() {
        connections.incrementAndGet();
    }

    /** An open connection was lost (closed, broken or silent) and the bridge is reconnecting. */
    void lost() {
        reconnects.incrementAndGet();
    }

    /** Reading paused because too much waited to be stored. */
    void readPaused() {
        readPauses.incrementAndGet();
    }

    long messages() {
        return messages.get();
    }

    long accepted() {
        return accepted.get();
    }

    long invalid() {
        return invalid.get();
    }

    long connections() {
        return connections.get();
    }

    long reconnects() {
        return reconnects.get();
    }

    long readPauses() {
        return readPauses.get();
    }

    Instant lastMessageAt() {
        return lastMessageAt;
    }
}
