package io.kimi.client;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link WebSocketClient}'s one thread: the listener calls, one at a time in order, and the reconnection and
 * heartbeat timers. A task that throws is logged and the thread carries on. After {@link #finish} nothing more
 * runs. Thread-safe.
 */
final class ClientThread {
    private static final Logger log = LoggerFactory.getLogger(WebSocketClient.class);
    /** Numbers the threads' names across clients. */
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final ScheduledThreadPoolExecutor executor;

    ClientThread() {
        int id = THREADS.incrementAndGet();
        executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "kimi-ws-client-" + id);
            t.setDaemon(true);
            return t;
        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setRemoveOnCancelPolicy(true);
    }

    /** Runs {@code task} after those before it; dropped (logged at debug) once finished. */
    void run(Runnable task) {
        try {
            executor.execute(guarded(task));
        } catch (RejectedExecutionException e) {
            log.debug("Dropping a listener call: the client is closed");
        }
    }

    /** Runs {@code task} once after {@code millis}; {@code null} once finished. */
    ScheduledFuture<?> after(long millis, Runnable task) {
        try {
            return executor.schedule(guarded(task), millis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("Not scheduling a timer: the client is closed");
            return null;
        }
    }

    /** Runs {@code task} every {@code millis}, first after {@code millis}; {@code null} once finished. */
    ScheduledFuture<?> every(long millis, Runnable task) {
        try {
            return executor.scheduleWithFixedDelay(guarded(task), millis, millis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("Not scheduling a timer: the client is closed");
            return null;
        }
    }

    /** Runs {@code last} after the tasks already queued, then stops the thread (timers are cancelled). */
    void finish(Runnable last) {
        run(last);
        executor.shutdown();
    }

    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                // Not rethrown: the executor would keep it in a future nobody reads.
                log.error("A WebSocketClient listener or timer failed; the client carries on", e);
            }
        };
    }
}
