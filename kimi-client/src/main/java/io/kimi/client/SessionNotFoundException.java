package io.kimi.client;

/** The session does not exist (the server's {@code session_not_found}, a 404 over REST). */
public class SessionNotFoundException extends ApiException {
    private static final long serialVersionUID = 1L;

    private final String sessionId;

    public SessionNotFoundException(int statusCode, String sessionId, String serverMessage) {
        super(statusCode, "session_not_found", serverMessage);
        this.sessionId = sessionId;
    }

    /** The session asked for. */
    public String sessionId() {
        return sessionId;
    }
}
