package io.kimi.core.store.sqlite;

import java.util.concurrent.CompletableFuture;

/**
 * A queued write and the future its caller holds.
 *
 * @param description what it does, for error messages (e.g. {@code saveRequest r-1})
 * @param supersedeKey when not null, a later write with the same key in the same batch makes this one
 *     unnecessary (it writes the same columns of the same row, newer values), so only the later one runs
 * @param mayWait whether the write may wait a little for others to share its commit (a record written after a
 *     request, which nobody waits for); any other write, and every marker, is committed at once
 * @param op the write; {@code null} for a flush marker, which only completes after what came before it
 * @param future completed on the writer thread once the write committed or failed
 */
record PendingWrite<T>(String description, String supersedeKey, boolean mayWait, WriteOp<T> op,
        CompletableFuture<T> future) {

    static PendingWrite<Void> marker(String description) {
        return new PendingWrite<>(description, null, false, null, new CompletableFuture<>());
    }

    boolean isMarker() {
        return op == null;
    }

    @SuppressWarnings("unchecked")
    void complete(Object result) {
        future.complete((T) result);
    }
}
