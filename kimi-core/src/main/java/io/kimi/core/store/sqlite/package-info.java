/** The SQLite implementation of the storage API: WAL, one batching writer thread, pooled read connections. */
package io.kimi.core.store.sqlite;
