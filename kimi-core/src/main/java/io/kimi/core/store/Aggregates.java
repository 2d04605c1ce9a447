package io.kimi.core.store;

import static java.util.Objects.requireNonNull;

import io.kimi.core.IterationStats;
import io.kimi.core.Session;
import io.kimi.core.StepStats;
import java.util.List;

/**
 * What a batch of events changes in their sessions' aggregates: the rows to write in the same transaction as
 * the events (see {@link Store#appendEvents(List, EventFold)}).
 *
 * @param sessions sessions to insert or replace whole, as {@link Store#saveSession} does
 * @param iterations iterations to insert or replace, as {@link Store#saveIteration} does
 * @param steps steps to insert or replace, as {@link Store#saveStep} does
 */
public record Aggregates(List<Session> sessions, List<IterationStats> iterations, List<StepStats> steps) {
    /** Nothing to write. */
    public static final Aggregates NONE = new Aggregates(List.of(), List.of(), List.of());

    public Aggregates {
        sessions = List.copyOf(requireNonNull(sessions, "sessions"));
        iterations = List.copyOf(requireNonNull(iterations, "iterations"));
        steps = List.copyOf(requireNonNull(steps, "steps"));
    }
}
