package io.kimi.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.core.store.Aggregates;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Holds a running server's SQLite writer inside a write until {@link #release()} (or {@link #close()}), so that
 * recording falls behind while a test drives the HTTP API. In this package because it reaches the store through
 * {@link KimiServer}'s package-private {@code store()}, which stays off the public API.
 */
final class HeldWriter implements AutoCloseable {
    private final CountDownLatch release = new CountDownLatch(1);

    private HeldWriter() {
    }

    /**
     * Holds {@code server}'s writer and returns once it is held.
     *
     * @param guard how long the writer is held at most if the test never releases it, and how long to wait for it
     */
    static HeldWriter hold(KimiServer server, Duration guard) throws InterruptedException {
        HeldWriter writer = new HeldWriter();
        CountDownLatch held = new CountDownLatch(1);
        CompletableFuture<List<Boolean>> hold = server.store().appendEvents(List.of(), stored -> {
            held.countDown();
            try {
                if (!writer.release.await(guard.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("the test never released the writer");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return Aggregates.NONE;
        });
        assertThat(held.await(guard.toMillis(), TimeUnit.MILLISECONDS)).as("writer held").isTrue();
        assertThat(hold).isNotDone();
        return writer;
    }

    /** Lets the writer go on; more calls do nothing. */
    void release() {
        release.countDown();
    }

    @Override
    public void close() {
        release();
    }
}
