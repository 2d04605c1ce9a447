package io.kimi.core;

/** The root of every exception this project throws on purpose. Unchecked, like Jdbi's and Netty's. */
public class KimiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public KimiException(String message) {
        super(message);
    }

    public KimiException(String message, Throwable cause) {
        super(message, cause);
    }
}
