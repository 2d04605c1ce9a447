package io.kimi.services.internal;

import io.kimi.core.KimiException;

/** No session has the given id. */
public final class SessionNotFoundException extends KimiException {
    private static final long serialVersionUID = 1L;

    private final String sessionId;

    public SessionNotFoundException(String sessionId) {
        super("Session '" + sessionId + "' does not exist.");
        this.sessionId = sessionId;
    }

    public String sessionId() {
        return sessionId;
    }
}
