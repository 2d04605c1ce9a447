package io.kimi.core.store;

import io.kimi.core.KimiException;

/** A storage operation failed (I/O, constraint, closed store). */
public class StoreException extends KimiException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
