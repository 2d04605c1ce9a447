package io.kimi.services.internal.live;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes waiting to be sent to all live clients together, held under one limit: a reservation that would
 * pass it is refused. {@link LiveClients#reserve} decides who makes room. Thread-safe; one per server.
 */
public final class OutboundBudget {
    private final long limitBytes;
    private final AtomicLong queued = new AtomicLong();

    /** @param limitBytes at least 1 */
    public OutboundBudget(long limitBytes) {
        if (limitBytes < 1) {
            throw new IllegalArgumentException("limitBytes: " + limitBytes + " (expected: >= 1)");
        }
        this.limitBytes = limitBytes;
    }

    /** Counts {@code bytes} more, or returns {@code false} (counting nothing) when the total would pass the limit. */
    public boolean tryReserve(long bytes) {
        while (true) {
            long now = queued.get();
            if (now + bytes > limitBytes) {
                return false;
            }
            if (queued.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    /** Gives back bytes reserved earlier, once they were sent or discarded. */
    public void release(long bytes) {
        queued.addAndGet(-bytes);
    }

    /** The bytes reserved now, for all clients together. */
    public long queuedBytes() {
        return queued.get();
    }

    public long limitBytes() {
        return limitBytes;
    }
}
