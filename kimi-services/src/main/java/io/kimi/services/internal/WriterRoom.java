package io.kimi.services.internal;

import io.kimi.core.ThrottledLog;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Bounds the records the accounting thread has queued for the SQLite writer and that are not committed yet
 * ({@code [server] accounting_queue_limit}): past it, the accounting thread (never an event loop) waits for a
 * commit, at most {@link #WAIT}, after which the record is queued anyway (never lost; logged at most every 10 s).
 * Thread-safe.
 */
final class WriterRoom {
    /** Longest the accounting thread waits for room before queuing a record anyway. */
    static final Duration WAIT = Duration.ofSeconds(30);
    private static final Logger log = LoggerFactory.getLogger(WriterRoom.class);

    private final int limit;
    private final Semaphore room;
    private final ThrottledLog waitLog = new ThrottledLog(log, Level.WARN, Duration.ofSeconds(10), System::nanoTime);

    WriterRoom(int limit) {
        this.limit = limit;
        this.room = new Semaphore(limit);
    }

    /**
     * Waits until fewer than {@code limit} records wait for the writer; after {@link #WAIT} goes on anyway (logged).
     * Returns whether room was taken, to be given back with {@link #release(boolean)} once the record is committed.
     */
    boolean await(String requestId) {
        try {
            if (room.tryAcquire() || room.tryAcquire(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        waitLog.log("The database has not committed the last {} records for {} s; request {} is queued for it"
                + " anyway", limit, WAIT.toSeconds(), requestId);
        return false;
    }

    /** Gives back the room {@link #await} took, if it took any. */
    void release(boolean taken) {
        if (taken) {
            room.release();
        }
    }
}
