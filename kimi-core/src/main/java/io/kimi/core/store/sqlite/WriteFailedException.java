package io.kimi.core.store.sqlite;

/**
 * A plain JDBC write failed (SQLite's message); the writer turns it into the write's {@code StoreException}, which
 * names the write.
 */
final class WriteFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    WriteFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
