package io.kimi.services.internal.convergence;

import io.kimi.core.Findings;
import io.kimi.core.IterationStats;
import io.kimi.core.Session;
import io.kimi.core.StepStats;
import io.kimi.core.store.ConvergenceFigures;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One convergence session's aggregate as the ingest maintains it: the session row, its iterations and steps.
 * Mutable; confined to the ingest thread, or to the store's writer thread while the ingest waits for it.
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

    /**
     * A copy to fold events into without changing this one (the records it holds are immutable): the ingest folds
     * into copies inside the store's transaction and keeps them only once it committed.
     */
    LoopSession copy() {
        LoopSession c = new LoopSession(session);
        c.iterations.putAll(iterations);
        c.steps.putAll(steps);
        c.stateTime = stateTime;
        c.fresh = fresh;
        return c;
    }

    /** What this session adds to the convergence gauges. */
    ConvergenceFigures figures() {
        long critical = 0;
        long high = 0;
        long medium = 0;
        long low = 0;
        long info = 0;
        for (IterationStats it : iterations.values()) {
            Findings f = it.findings();
            critical += f.critical();
            high += f.high();
            medium += f.medium();
            low += f.low();
            info += f.info();
        }
        return ConvergenceFigures.of(session, new Findings(critical, high, medium, low, info));
    }

    static String stepKey(int iteration, String step) {
        return iteration + "/" + step;
    }
}
