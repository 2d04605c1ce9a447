package io.kimi.core.store.sqlite;

import org.jdbi.v3.core.Handle;

/** One write, run on the writer thread inside a transaction opened by {@link BatchWriter}. */
@FunctionalInterface
interface WriteOp<T> {
    T apply(Handle handle);
}
