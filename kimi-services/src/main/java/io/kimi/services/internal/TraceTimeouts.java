package io.kimi.services.internal;

import static java.util.Objects.requireNonNull;

import io.kimi.core.Threads;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends the waits of requests for their pending record ({@link Accountant#beforeUpstream}) after a fixed time,
 * with one timer thread that looks every {@code tick} at the oldest waits, instead of a timer task per request:
 * {@code CompletableFuture.completeOnTimeout} scheduled one on the JDK's shared delayer and woke its thread for each
 * request (in {@code RequestCost} at concurrency 1 that thread used more CPU per request than garbage collection).
 * Every wait lasts the same time, so the oldest ends first: a tick takes waits from the head of a FIFO while they
 * are over or already done. A wait may last up to one tick longer. Thread-safe.
 */
final class TraceTimeouts implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TraceTimeouts.class);

    private record Wait(String requestId, CompletableFuture<Void> traced, long deadlineNanos) {
    }

    private final long waitNanos;
    private final Consumer<String> onTimeout;
    private final ConcurrentLinkedQueue<Wait> waits = new ConcurrentLinkedQueue<>();
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(Threads.daemon("kimi-trace-timer"));

    /**
     * @param wait how long a request waits at most
     * @param tick how often the oldest waits are looked at
     * @param onTimeout told the id of each request whose wait this ended (it is sent untraced)
     */
    TraceTimeouts(Duration wait, Duration tick, Consumer<String> onTimeout) {
        this.waitNanos = wait.toNanos();
        this.onTimeout = requireNonNull(onTimeout, "onTimeout");
        timer.scheduleWithFixedDelay(this::tick, tick.toNanos(), tick.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Completes {@code traced} (normally) once it has waited the fixed time, unless it is done by then. Cheap. */
    void watch(String requestId, CompletableFuture<Void> traced) {
        waits.add(new Wait(requestId, traced, System.nanoTime() + waitNanos));
    }

    private void tick() {
        try {
            long now = System.nanoTime();
            for (Wait w = waits.peek(); w != null; w = waits.peek()) {
                if (!w.traced().isDone() && now - w.deadlineNanos() < 0) {
                    return;
                }
                waits.poll();
                if (w.traced().complete(null)) {
                    onTimeout.accept(w.requestId());
                }
            }
        } catch (RuntimeException e) {
            log.error("Ending the waits of requests for their pending record failed", e);
        }
    }

    /** Stops the timer; waits not ended yet end when their record is committed (or the store fails them). */
    @Override
    public void close() {
        timer.shutdownNow();
    }
}
