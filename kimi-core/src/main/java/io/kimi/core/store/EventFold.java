package io.kimi.core.store;

import io.kimi.core.Event;
import java.util.List;

/**
 * Folds newly stored events into their sessions' aggregates, inside the transaction that stores them (see
 * {@link Store#appendEvents(List, EventFold)}), so that events and aggregates are committed together or not at
 * all: a crash can never leave stored events that their aggregate does not count.
 *
 * <p>Called on the store's writer thread, possibly more than once for the same batch (a transaction that
 * failed for another write's sake is retried), and its result may be rolled back: it must not change anything
 * the caller keeps until the store's future completes normally. It must be quick and must not touch the store.
 */
@FunctionalInterface
public interface EventFold {
    /**
     * @param stored the events of the batch that were newly stored, in the batch's order (never a duplicate)
     * @return the aggregate rows to write with them
     */
    Aggregates fold(List<Event> stored);
}
