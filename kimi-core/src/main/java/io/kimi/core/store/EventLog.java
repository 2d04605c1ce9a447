package io.kimi.core.store;

import io.kimi.core.Event;
import io.kimi.core.IterationStats;
import io.kimi.core.StepStats;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Appending events (of convergence loops, context alerts, context features) and, for convergence sessions, the
 * per-iteration and per-step aggregates made of them.
 */
public interface EventLog extends QueuedWrites {

    /** Appends an event; completes with {@code false} when an event with the same id was already stored. */
    CompletableFuture<Boolean> appendEvent(Event event);

    /**
     * Appends a batch of events in one write, all or nothing: completes with, for each event in order, whether
     * it was newly stored ({@code false} when an event with its id was stored already, or comes earlier in
     * the same batch). When one event cannot be stored (e.g. its session does not exist) none of the batch is,
     * and the future fails; the batch can be sent again once fixed.
     */
    default CompletableFuture<List<Boolean>> appendEvents(List<Event> events) {
        return appendEvents(events, stored -> Aggregates.NONE);
    }

    /**
     * As {@link #appendEvents(List)}, and in the same transaction writes the aggregates that {@code fold} makes
     * of the newly stored events: the events and their sessions' aggregates are committed together, or (when
     * anything fails, or the process dies first) neither is.
     */
    CompletableFuture<List<Boolean>> appendEvents(List<Event> events, EventFold fold);

    /**
     * Inserts a convergence session's iteration, or replaces every field of the stored one with the same
     * session and iteration. The session must exist; deleting it deletes its iterations.
     */
    CompletableFuture<Void> saveIteration(IterationStats stats);

    /**
     * Inserts a step of an iteration, or replaces every field of the stored one with the same session,
     * iteration and step. The session must exist; deleting it deletes its steps.
     */
    CompletableFuture<Void> saveStep(StepStats stats);
}
