package io.kimi.services.internal;

import static java.util.Objects.requireNonNull;

import io.kimi.core.ThrottledLog;
import io.kimi.services.internal.metrics.ServerMetrics;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The {@link Accountant}'s admission and overflow policy ({@code [server] accounting_queue_limit}, L): counts the
 * exchanges submitted whose recording has not started, refuses new chat completions while 2L wait, and has one
 * recorded the light way when L or more wait behind it. Both are counted in
 * {@code kimi_accounting_overflow_total{policy}} and logged at most every 10 s. Thread-safe.
 */
final class AccountingQueue {
    private static final Logger log = LoggerFactory.getLogger(AccountingQueue.class);
    private static final Duration LOG_INTERVAL = Duration.ofSeconds(10);

    private final int limit;
    private final ServerMetrics metrics;
    /** Finished exchanges (and external requests) submitted whose recording has not started. */
    private final AtomicInteger waiting = new AtomicInteger();
    private final ThrottledLog overflowLog = new ThrottledLog(log, Level.WARN, LOG_INTERVAL, System::nanoTime);
    private final ThrottledLog refusedLog = new ThrottledLog(log, Level.WARN, LOG_INTERVAL, System::nanoTime);

    AccountingQueue(int limit, ServerMetrics metrics) {
        this.limit = limit;
        this.metrics = requireNonNull(metrics, "metrics");
        metrics.accountingQueue(waiting::get, limit);
    }

    /**
     * Whether a new chat completion may be taken: false while twice {@code accounting_queue_limit} finished
     * exchanges wait to be recorded (then counted, and logged at most every 10 s). Cheap; safe on an event loop.
     */
    boolean admit() {
        int queued = waiting.get();
        if (queued < 2L * limit) {
            return true;
        }
        metrics.accountingOverflow(ServerMetrics.OverflowPolicy.REFUSED);
        refusedLog.log("Refusing a chat completion with 503: {} finished requests wait to be recorded (twice "
                + "accounting_queue_limit, {})", queued, limit);
        return false;
    }

    /** One more exchange waits to be recorded. */
    void enqueued() {
        waiting.incrementAndGet();
    }

    /** An exchange that waited will not be recorded after all (the thread refused it), or is recorded now. */
    void dequeued() {
        waiting.decrementAndGet();
    }

    /**
     * As a queued exchange's recording starts: whether to record it the light way, because
     * {@code accounting_queue_limit} or more wait behind it (counted and logged).
     */
    boolean startRecording(String requestId) {
        int behind = waiting.decrementAndGet();
        if (behind < limit) {
            return false;
        }
        metrics.accountingOverflow(ServerMetrics.OverflowPolicy.RECORDED_LIGHT);
        overflowLog.log("Recording request {} the light way (no local count, no live push): {} finished requests"
                + " wait behind it (accounting_queue_limit {})", requestId, behind, limit);
        return true;
    }
}
