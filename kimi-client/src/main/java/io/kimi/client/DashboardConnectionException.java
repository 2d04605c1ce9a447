package io.kimi.client;

/**
 * The dashboard could not be reached or the connection broke: refused, reset, timed out, closed. Never an HTTP
 * error status (those are {@link ApiException}s).
 */
public class DashboardConnectionException extends DashboardException {
    private static final long serialVersionUID = 1L;

    public DashboardConnectionException(String message) {
        super(message);
    }

    public DashboardConnectionException(String message, Throwable cause) {
        super(message, cause);
    }
}
