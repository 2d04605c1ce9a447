package io.kimi.core.store;

import io.kimi.core.Event;
import io.kimi.core.IterationStats;
import io.kimi.core.RequestRecord;
import io.kimi.core.Session;
import io.kimi.core.SessionKind;
import io.kimi.core.StepStats;
import java.util.List;
import java.util.Optional;

/**
 * Reading stored sessions and what they hold: requests, events, a convergence session's iterations and steps.
 * Reads run on the caller's thread on their own connections (call them off event loops).
 */
public interface SessionReads {

    Optional<Session> findSession(String sessionId);

    /** The active proxy session, if any. */
    Optional<Session> findActiveSession();

    Page<Session> listSessions(SessionQuery query);

    /** Counts sessions per kind, for metrics. */
    long countSessions(SessionKind kind);

    /** A session's requests, newest first. */
    Page<RequestRecord> listRequests(String sessionId, int limit, int offset);

    /** A session's events, oldest first (the order they happened). */
    Page<Event> listEvents(String sessionId, int limit, int offset);

    /** A convergence session's iterations, by iteration number (empty for an unknown session). */
    List<IterationStats> listIterations(String sessionId);

    /** A convergence session's steps, by iteration number, then step name (empty for an unknown session). */
    List<StepStats> listSteps(String sessionId);
}
