package io.kimi.api;

import static java.util.Objects.requireNonNull;

import io.kimi.core.KimiException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The server's closeable parts, registered as they are created and closed in the reverse order: what was made
 * last (the listening socket) stops first, what everything else uses (the database) stops last. Thread-safe.
 */
final class Components implements AutoCloseable {
    private record Entry(String name, AutoCloseable component) {
    }

    private final Deque<Entry> entries = new ArrayDeque<>();

    /** Registers {@code component} to be closed, before everything registered earlier; returns it. */
    synchronized <T extends AutoCloseable> T add(String name, T component) {
        entries.push(new Entry(requireNonNull(name, "name"), requireNonNull(component, "component")));
        return component;
    }

    /**
     * Closes every registered part, the last registered first, each once, each even when an earlier one failed.
     *
     * @throws KimiException after all are closed, when any failed: the first failure, the others suppressed in
     *     it; each names its part
     */
    @Override
    public synchronized void close() {
        KimiException failure = null;
        while (!entries.isEmpty()) {
            Entry entry = entries.pop();
            try {
                entry.component().close();
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                KimiException named = new KimiException("Closing " + entry.name() + " failed: " + e, e);
                if (failure == null) {
                    failure = named;
                } else {
                    failure.addSuppressed(named);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
