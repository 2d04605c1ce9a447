package io.kimi.api;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that do what must not run on an event loop (database reads, upstream calls' setup): a bounded pool
 * with a bounded queue (1024), closed by waiting up to 10 s for the tasks in hand.
 */
final class BlockingPool implements AutoCloseable {
    private static final int QUEUE = 1024;

    private final ThreadPoolExecutor executor;

    /** @param threads the pool's size (at least 1) */
    BlockingPool(int threads) {
        int n = Math.max(1, threads);
        AtomicInteger count = new AtomicInteger();
        executor = new ThreadPoolExecutor(n, n, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "kimi-blocking-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        executor.allowCoreThreadTimeOut(true);
    }

    Executor executor() {
        return executor;
    }

    /** Stops taking tasks and waits up to 10 s for those in hand; throws when they are not done by then. */
    @Override
    public void close() {
        executor.shutdown();
        boolean done;
        try {
            done = executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the blocking tasks", e);
        }
        if (!done) {
            throw new IllegalStateException("blocking tasks still running after 10 s: " + executor.getActiveCount());
        }
    }
}
