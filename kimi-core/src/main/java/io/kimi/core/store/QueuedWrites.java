package io.kimi.core.store;

import java.util.concurrent.CompletableFuture;

/**
 * The part every writing view of the {@link Store} shares: its writes are queued and committed in order by one
 * writer thread; {@link #flush()} waits for those already submitted (to read your own writes).
 */
public interface QueuedWrites {

    /** Completes once every write submitted before this call is committed (or has failed). */
    CompletableFuture<Void> flush();
}
