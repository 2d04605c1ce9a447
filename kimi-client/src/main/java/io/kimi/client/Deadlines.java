package io.kimi.client;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Bounds the futures the client hands out: each one completes, at the latest when its deadline passes. */
final class Deadlines {
    private Deadlines() {
    }

    /**
     * Fails {@code future} with {@code failure} unless it completes within {@code timeout}, then runs
     * {@code expired}; both on the JDK's default asynchronous pool, never on its single timer thread (dependent
     * stages may block). The timer is cancelled as soon as the future completes, so a finished call holds
     * nothing until its deadline.
     */
    static void failAfter(CompletableFuture<?> future, Duration timeout,
            Supplier<? extends RuntimeException> failure, Runnable expired) {
        CompletableFuture<Void> timer = new CompletableFuture<>();
        timer.orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS).whenComplete((v, e) -> {
            if (e != null && !future.isDone()) {
                CompletableFuture.runAsync(() -> {
                    if (future.completeExceptionally(failure.get())) {
                        expired.run();
                    }
                });
            }
        });
        future.whenComplete((v, e) -> timer.complete(null));
    }

    /** As {@link #failAfter(CompletableFuture, Duration, Supplier, Runnable)}, with nothing more to do. */
    static void failAfter(CompletableFuture<?> future, Duration timeout,
            Supplier<? extends RuntimeException> failure) {
        failAfter(future, timeout, failure, () -> { });
    }
}
