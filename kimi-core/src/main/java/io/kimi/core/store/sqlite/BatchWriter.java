package io.kimi.core.store.sqlite;

import static java.util.Objects.requireNonNull;

import io.kimi.core.Threads;
import io.kimi.core.store.StoreException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer: one daemon thread that owns the write connection, takes queued writes in submission
 * order, and commits up to {@link #MAX_BATCH} of them per transaction. Records nobody waits for
 * ({@link #submitRecord}) wait at most {@link #LINGER_NANOS} for others to share their commit (group commit);
 * any other write, a flush or a close ends the wait. Within a batch, a write queued with a supersede key is
 * skipped when a later one has the same key. (A request's pending record is no write here: it goes to the
 * {@link IntentJournal}.)
 *
 * <p>When a batch's transaction fails, each of its writes is retried alone in its own transaction, so a bad
 * write fails only its own future. Futures are completed on the writer thread after the commit, in submission
 * order: dependent stages attached with the non-async methods
 * ({@code thenApply}, ...) run on that thread and must not block (use the {@code ...Async} variants for anything
 * slow).
 *
 * <p>The thread closes the handle (and with it the connection) when it stops.
 */
final class BatchWriter {
    /** Most writes committed in one transaction. */
    static final int MAX_BATCH = 512;
    /** Longest a write waits for others to share its commit (unless a flush or close is queued). */
    static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private static final Logger log = LoggerFactory.getLogger(BatchWriter.class);

    private final Handle handle;
    private final String storeName;
    private final BlockingQueue<PendingWrite<?>> queue = new LinkedBlockingQueue<>();
    private final PendingWrite<Void> stop = PendingWrite.marker("stop");
    private final Object lock = new Object();
    private final Thread thread;
    /** Guarded by {@link #lock}; once set, nothing more is queued after {@link #stop}. */
    private boolean closed;

    /**
     * @param handle the write connection, handed over to the writer thread
     * @param storeName names the store in error messages (its file)
     * @param threadName the writer thread's name
     */
    BatchWriter(Handle handle, String storeName, String threadName) {
        this.handle = requireNonNull(handle, "handle");
        this.storeName = requireNonNull(storeName, "storeName");
        this.thread = Threads.background(requireNonNull(threadName, "threadName")).newThread(this::run);
    }

    void start() {
        thread.start();
    }

    /** Queues a write; the future fails with a {@link StoreException} when it failed or the writer is closed. */
    <T> CompletableFuture<T> submit(String description, WriteOp<T> op) {
        requireNonNull(description, "description");
        requireNonNull(op, "op");
        return enqueue(new PendingWrite<>(description, null, false, op, new CompletableFuture<>()));
    }

    /**
     * Queues a write nobody waits for (a record of a finished request): it may wait up to {@link #LINGER_NANOS}
     * for others to share its commit.
     */
    <T> CompletableFuture<T> submitRecord(String description, WriteOp<T> op) {
        requireNonNull(description, "description");
        requireNonNull(op, "op");
        return enqueue(new PendingWrite<>(description, null, true, op, new CompletableFuture<>()));
    }

    /**
     * Queues a record nobody waits for that a later one with the same key makes unnecessary: when both are in
     * the same batch, only the later runs, and the earlier completes with it (with a {@code null} result). Only
     * for writes that set the same columns of the same row, where the later values are the newer ones (e.g. a
     * session's totals after each request). Like {@link #submitRecord}, it may wait for company.
     */
    CompletableFuture<Void> submitSuperseding(String description, String key, WriteOp<Void> op) {
        requireNonNull(description, "description");
        requireNonNull(key, "key");
        requireNonNull(op, "op");
        return enqueue(new PendingWrite<>(description, key, true, op, new CompletableFuture<>()));
    }

    /** Completes once every write queued before it has been committed or has failed. */
    CompletableFuture<Void> flush() {
        return enqueue(PendingWrite.marker("flush"));
    }

    private <T> CompletableFuture<T> enqueue(PendingWrite<T> write) {
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(new StoreException("store is closed: " + storeName));
            }
            queue.add(write);
        }
        return write.future();
    }

    /**
     * Stops accepting writes, lets the thread commit everything already queued, and waits for it to stop
     * (unless called from the writer thread itself, e.g. from a dependent stage). Idempotent.
     */
    void close() {
        synchronized (lock) {
            if (!closed) {
                closed = true;
                queue.add(stop);
            }
        }
        if (Thread.currentThread() == thread) {
            log.debug("close() called on the writer thread of {}; it stops after the current batch", storeName);
            return;
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("Interrupted while waiting for the writer of {} to commit queued writes", storeName, e);
        }
    }

    boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    private void run() {
        List<PendingWrite<?>> batch = new ArrayList<>(MAX_BATCH);
        try {
            boolean stopping = false;
            while (!stopping) {
                batch.clear();
                batch.add(takeNext());
                queue.drainTo(batch, MAX_BATCH - 1);
                lingerForMore(batch);
                int end = indexOfStop(batch);
                if (end >= 0) {
                    // Nothing is queued after the stop marker: the lock guarantees it.
                    batch.subList(end, batch.size()).clear();
                    stopping = true;
                }
                if (!batch.isEmpty()) {
                    runBatchSafely(batch);
                }
            }
        } finally {
            closeHandle();
            stop.future().complete(null);
        }
    }

    /**
     * Group commit: when the batch is not full and holds only records nobody waits for, waits up to
     * {@link #LINGER_NANOS} for more writes, so that a steady trickle of requests commits a few times per
     * second instead of once per request (each commit writes its pages to the WAL). Any other write (one a
     * caller may be waiting on, a flush, a close) ends the wait.
     */
    private void lingerForMore(List<PendingWrite<?>> batch) {
        if (batch.size() >= MAX_BATCH || !allMayWait(batch)) {
            return;
        }
        long deadline = System.nanoTime() + LINGER_NANOS;
        long left;
        while (batch.size() < MAX_BATCH && (left = deadline - System.nanoTime()) > 0) {
            PendingWrite<?> next;
            try {
                next = queue.poll(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                log.warn("Writer thread of {} interrupted while gathering a batch; committing it now", storeName, e);
                return;
            }
            if (next == null) {
                return;
            }
            int from = batch.size();
            batch.add(next);
            queue.drainTo(batch, MAX_BATCH - batch.size());
            if (!allMayWait(batch, from)) {
                return;
            }
        }
    }

    /** Whether the writes from index {@code from} on may all wait (those before it were checked already). */
    private static boolean allMayWait(List<PendingWrite<?>> batch, int from) {
        for (int i = from; i < batch.size(); i++) {
            if (!batch.get(i).mayWait()) {
                return false;
            }
        }
        return true;
    }

    private static boolean allMayWait(List<PendingWrite<?>> batch) {
        return allMayWait(batch, 0);
    }

    private int indexOfStop(List<PendingWrite<?>> batch) {
        for (int i = 0; i < batch.size(); i++) {
            if (batch.get(i) == stop) {
                return i;
            }
        }
        return -1;
    }

    private PendingWrite<?> takeNext() {
        while (true) {
            try {
                return queue.take();
            } catch (InterruptedException e) {
                // Only close() may stop this thread, so that no queued write is ever lost.
                log.warn("Writer thread of {} interrupted; it keeps running until the store is closed",
                        storeName, e);
            }
        }
    }

    private void runBatchSafely(List<PendingWrite<?>> batch) {
        try {
            runBatch(batch);
        } catch (RuntimeException | Error e) {
            // Unexpected (a bug or a JVM error): never leave a caller waiting forever.
            log.error("Writer of {} failed unexpectedly on a batch of {}", storeName, batch.size(), e);
            for (PendingWrite<?> write : batch) {
                write.future().completeExceptionally(toStoreException(write, e));
            }
        }
    }

    private void runBatch(List<PendingWrite<?>> batch) {
        Object[] results = new Object[batch.size()];
        boolean[] superseded = superseded(batch);
        boolean committed;
        try {
            handle.useTransaction(h -> {
                for (int i = 0; i < batch.size(); i++) {
                    PendingWrite<?> write = batch.get(i);
                    results[i] = write.isMarker() || superseded[i] ? null : write.op().apply(h);
                }
            });
            committed = true;
        } catch (RuntimeException e) {
            log.debug("Batch of {} writes to {} failed, retrying each alone: {}", batch.size(), storeName,
                    e.toString());
            committed = false;
        }
        if (committed) {
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).complete(results[i]);
            }
            return;
        }
        for (PendingWrite<?> write : batch) {
            runAlone(write);
        }
    }

    /** Which writes of the batch a later write with the same supersede key makes unnecessary. */
    static boolean[] superseded(List<PendingWrite<?>> batch) {
        boolean[] superseded = new boolean[batch.size()];
        Set<String> later = null;
        for (int i = batch.size() - 1; i >= 0; i--) {
            String key = batch.get(i).supersedeKey();
            if (key == null) {
                continue;
            }
            if (later == null) {
                later = new HashSet<>();
            }
            superseded[i] = !later.add(key);
        }
        return superseded;
    }

    private void runAlone(PendingWrite<?> write) {
        if (write.isMarker()) {
            write.complete(null);
            return;
        }
        Object result;
        try {
            result = handle.inTransaction(h -> write.op().apply(h));
        } catch (RuntimeException e) {
            log.debug("Write failed on {}: {}", storeName, write.description(), e);
            write.future().completeExceptionally(toStoreException(write, e));
            return;
        }
        write.complete(result);
    }

    private StoreException toStoreException(PendingWrite<?> write, Throwable e) {
        if (e instanceof StoreException se) {
            return se;
        }
        return new StoreException(write.description() + " failed on " + storeName + ": " + e.getMessage(), e);
    }

    private void closeHandle() {
        try {
            handle.close();
        } catch (RuntimeException e) {
            log.warn("Closing the write connection of {} failed", storeName, e);
        }
    }
}
