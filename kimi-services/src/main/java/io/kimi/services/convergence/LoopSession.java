package io.kimi.services.convergence;

import io.kimi.core.IterationStats;
import io.kimi.core.Session;
import io.kimi.core.StepStats;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One convergence session's aggregate as the ingest maintains it: the session row, its iterations and steps.
 * Mutable; confined to the ingest thread.
 */
final class LoopSession {
    Session session;
    final TreeMap<Integer, IterationStats> iterations = new TreeMap<>();
    final Map<String, StepStats> steps = new HashMap<>();
    /** The timestamp of the event that set the current state, so a late replayed event cannot move it back. */
    Instant stateTime = Instant.MIN;
    /** Created by this ingest and not yet announced. */
    boolean fresh;

    LoopSession(Session session) {
        this.session = session;
    }

    static String stepKey(int iteration, String step) {
        return iteration + "/" + step;
    }
}
