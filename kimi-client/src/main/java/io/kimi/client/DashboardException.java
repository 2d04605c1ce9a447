package io.kimi.client;

/**
 * The root of every exception this client throws: {@link DashboardConnectionException} when the dashboard
 * cannot be reached, {@link ApiException} when it answers with an error ({@link SessionNotFoundException} for an
 * unknown session), and this class itself for a reply the client cannot understand, or for a runtime dependency
 * (Jackson, SLF4J) that is missing or of an incompatible version (the message names it, its cause is the
 * {@link LinkageError}).
 */
public class DashboardException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DashboardException(String message) {
        super(message);
    }

    public DashboardException(String message, Throwable cause) {
        super(message, cause);
    }
}
