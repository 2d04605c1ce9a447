package io.kimi.services.internal;

import static java.util.Objects.requireNonNull;

import io.kimi.core.Session;
import io.kimi.core.SessionKind;
import io.kimi.core.store.Store;
import io.kimi.services.internal.convergence.ConvergenceIngest;
import io.kimi.services.internal.features.ContextFeatures;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Deletes a session and forgets it everywhere the server keeps per-session state: the live proxy sessions (and
 * the active one), the accounting thread's context-alert crossings and feature outcomes, the context features'
 * compaction state (conversations, applied compactions, previews, automatic-compaction cooldowns), and the store
 * (a convergence session through {@link ConvergenceIngest}, in order with its events, so its gauges follow).
 * One call for the API layer; blocks up to the given wait, so call it off the event loops.
 */
public final class SessionDeletion {
    private final Store store;
    private final ProxySessions sessions;
    private final Accountant accountant;
    private final ContextFeatures features;
    private final ConvergenceIngest convergence;
    private final Duration wait;

    public SessionDeletion(Store store, ProxySessions sessions, Accountant accountant, ContextFeatures features,
            ConvergenceIngest convergence, Duration wait) {
        this.store = requireNonNull(store, "store");
        this.sessions = requireNonNull(sessions, "sessions");
        this.accountant = requireNonNull(accountant, "accountant");
        this.features = requireNonNull(features, "features");
        this.convergence = requireNonNull(convergence, "convergence");
        this.wait = requireNonNull(wait, "wait");
    }

    /**
     * Deletes the session once every request finished before is recorded (so none of them re-creates it).
     *
     * @throws SessionNotFoundException when there is no such session
     * @throws Exception when the store fails or does not answer within the wait
     */
    public void delete(String sessionId) throws Exception {
        requireNonNull(sessionId, "sessionId");
        accountant.sync().get(wait.toMillis(), TimeUnit.MILLISECONDS);
        Session session = store.findSession(sessionId).orElseThrow(() -> new SessionNotFoundException(sessionId));
        sessions.remove(sessionId);
        accountant.forgetSession(sessionId);
        features.forget(sessionId);
        boolean existed = (session.kind() == SessionKind.CONVERGENCE ? convergence.delete(sessionId)
                : store.deleteSession(sessionId)).get(wait.toMillis(), TimeUnit.MILLISECONDS);
        if (!existed) {
            throw new SessionNotFoundException(sessionId);
        }
    }
}
