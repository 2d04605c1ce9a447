package io.kimi.core.store;

/**
 * The whole store: persistent sessions, request records, events, the per-iteration and per-step aggregates of
 * convergence sessions, and what the context features keep. Only what opens the store and wires the server needs
 * all of it; each user takes the narrowest view it needs:
 *
 * <ul>
 *   <li>{@link RequestLog}: the request records written around every proxied request (accounting);
 *   <li>{@link SessionReads}: sessions and what they hold (REST routes, the live protocol);
 *   <li>{@link SessionWrites}: creating, activating and deleting sessions;
 *   <li>{@link EventLog}: events and the convergence aggregates folded from them;
 *   <li>{@link StoreStats}: figures over everything stored (metrics);
 *   <li>{@link MaskRecords}, {@link CompactionRecords}, {@link MemoryRecords} (together {@link FeatureRecords}):
 *       the context features' records.
 * </ul>
 *
 * <p>Writes never block the caller: each is queued for one writer thread that commits them in batches, in
 * the order they were submitted, and completes the returned future once committed (exceptionally with a
 * {@link StoreException} when the write failed; a failed write never rolls back writes of other batches).
 * Reads run on the caller's thread on their own connections, so call them off event loops. To read your own
 * writes, wait for {@link #flush()} first.
 *
 * <p>The records written after every request ({@link #saveRequest}, {@link #recordRequest}, {@link #appendEvent},
 * {@link #saveSessionTotals}, {@link #saveMask}, {@link #saveMemoryUsage}) may wait a few milliseconds to share
 * a commit with others; every other write, and a flush, is committed as soon as the writer gets to it.
 *
 * <p>Implementations are thread-safe.
 */
public interface Store extends RequestLog, SessionReads, SessionWrites, EventLog, StoreStats, FeatureRecords,
        AutoCloseable {

    /** Flushes pending writes, stops the writer and closes every connection. Idempotent. */
    @Override
    void close();
}
