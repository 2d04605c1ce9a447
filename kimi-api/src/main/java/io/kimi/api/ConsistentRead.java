package io.kimi.api;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The "consistent read" route decorator: before a route's handler reads, every request already answered is
 * recorded and committed (the barrier, the accountant's {@code sync()}), so a read sees what clients already
 * received. Routes declare it ({@link Routes#add(io.netty.handler.codec.http.HttpMethod, String, Reads,
 * Endpoint)}); the decorated endpoint runs on the blocking pool like every route, so the wait never holds an
 * event loop.
 */
final class ConsistentRead {
    private static final Logger log = LoggerFactory.getLogger(ConsistentRead.class);

    /** What a route needs before its handler runs. */
    enum Reads {
        /** Nothing: it reads no recorded data (configuration, memory) or only writes. */
        ANY,
        /** The barrier, waited for up to {@link #wait}; past that the request fails (503, like a stuck store). */
        RECORDED,
        /** The barrier, waited for up to {@link #quickWait}; past that it reads what is recorded so far. */
        RECORDED_IF_QUICK
    }

    private final Supplier<CompletableFuture<Void>> barrier;
    private final Duration wait;
    private final Duration quickWait;

    /**
     * @param barrier completes once every request finished before the call is recorded and committed
     * @param wait the longest wait of a {@link Reads#RECORDED} route
     * @param quickWait the longest wait of a {@link Reads#RECORDED_IF_QUICK} route (a metrics scrape)
     */
    ConsistentRead(Supplier<CompletableFuture<Void>> barrier, Duration wait, Duration quickWait) {
        this.barrier = requireNonNull(barrier, "barrier");
        this.wait = requireNonNull(wait, "wait");
        this.quickWait = requireNonNull(quickWait, "quickWait");
    }

    /** The accountant's barrier with the usual waits: 10 s, and 2 s for a scrape. */
    static ConsistentRead of(Supplier<CompletableFuture<Void>> barrier) {
        return new ConsistentRead(barrier, Duration.ofSeconds(10), Duration.ofSeconds(2));
    }

    /** {@code endpoint}, preceded by the barrier {@code reads} asks for. */
    Endpoint around(Reads reads, Endpoint endpoint) {
        requireNonNull(endpoint, "endpoint");
        return switch (requireNonNull(reads, "reads")) {
            case ANY -> endpoint;
            case RECORDED -> request -> {
                barrier.get().get(wait.toMillis(), TimeUnit.MILLISECONDS);
                return endpoint.handle(request);
            };
            case RECORDED_IF_QUICK -> request -> {
                awaitBriefly(request.path());
                return endpoint.handle(request);
            };
        };
    }

    private void awaitBriefly(String path) {
        try {
            barrier.get().get(quickWait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            log.warn("Accounting did not catch up within {} ms; {} reads what is recorded so far",
                    quickWait.toMillis(), path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("Interrupted while waiting for accounting; {} reads what is recorded so far", path);
        }
    }
}
