package io.kimi.services.internal.convergence;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.kimi.core.Event;
import io.kimi.core.IterationStats;
import io.kimi.core.Session;
import io.kimi.core.StepStats;
import io.kimi.core.store.Aggregates;
import io.kimi.core.store.EventFold;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Folds one ingested batch into its sessions' aggregates inside the store's transaction ({@link EventFold}):
 * works on copies of the sessions, so that nothing the ingest keeps changes unless the batch commits; the
 * copies and what to announce are then taken with {@link #result()}. The store may call {@link #fold} again
 * (a retried transaction): each call starts again from the sessions as they were.
 */
final class BatchFold implements EventFold {
    /** One newly stored event, and the session change to announce before it ({@code null} when none). */
    record Step(Event event, String sessionChange, Session session) {
    }

    /**
     * What a committed batch leaves: the sessions' new aggregates, what to announce, in order, and the steps it
     * changed (each as it was last changed).
     */
    record Result(Map<String, LoopSession> sessions, List<Step> steps, List<StepStats> changedSteps) {
    }

    private final Map<String, LoopSession> sessions;
    private final Map<Event, JsonNode> data;
    private volatile Result result = new Result(Map.of(), List.of(), List.of());

    /**
     * @param sessions the aggregates of the batch's sessions, by id; read, never changed
     * @param data each event's parsed {@code data}, by identity
     */
    BatchFold(Map<String, LoopSession> sessions, Map<Event, JsonNode> data) {
        this.sessions = requireNonNull(sessions, "sessions");
        this.data = requireNonNull(data, "data");
    }

    @Override
    public Aggregates fold(List<Event> stored) {
        Map<String, LoopSession> copies = new LinkedHashMap<>();
        Map<String, IterationStats> iterations = new LinkedHashMap<>();
        Map<String, StepStats> steps = new LinkedHashMap<>();
        List<Step> announced = new ArrayList<>(stored.size());
        for (Event e : stored) {
            LoopSession s = copies.computeIfAbsent(e.sessionId(), id -> requireNonNull(sessions.get(id),
                    () -> "no aggregate for session " + id).copy());
            Session before = s.session;
            boolean created = s.fresh;
            Aggregation.Changes changes = Aggregation.apply(s, e, data.get(e));
            changes.iterations().forEach(it -> iterations.put(it.sessionId() + "#" + it.iteration(), it));
            changes.steps().forEach(st -> steps.put(st.sessionId() + "#" + LoopSession.stepKey(st.iteration(),
                    st.step()), st));
            String change = null;
            if (created || !s.session.equals(before)) {
                change = created ? "created" : "updated";
                s.fresh = false;
            }
            announced.add(new Step(e, change, s.session));
        }
        List<Session> rows = new ArrayList<>(copies.size());
        copies.values().forEach(s -> rows.add(s.session));
        result = new Result(copies, announced, new ArrayList<>(steps.values()));
        return new Aggregates(rows, new ArrayList<>(iterations.values()), new ArrayList<>(steps.values()));
    }

    /** The outcome of the last {@link #fold}; read it once the store's future completed normally. */
    Result result() {
        return result;
    }
}
