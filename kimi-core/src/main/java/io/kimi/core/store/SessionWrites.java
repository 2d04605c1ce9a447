package io.kimi.core.store;

import io.kimi.core.Session;
import java.util.concurrent.CompletableFuture;

/** Creating, replacing, activating and deleting sessions (proxy and convergence). */
public interface SessionWrites extends QueuedWrites {

    /** Inserts the session, or replaces every field of the stored one with the same id. */
    CompletableFuture<Void> saveSession(Session session);

    /** Marks this proxy session as the only active one (and every other proxy session inactive). */
    CompletableFuture<Void> activateSession(String sessionId);

    /**
     * Deletes the session with everything stored for it (requests, events, iterations, steps, the masks first
     * taken in it, compactions, memory figures); completes with whether it existed.
     */
    CompletableFuture<Boolean> deleteSession(String sessionId);
}
