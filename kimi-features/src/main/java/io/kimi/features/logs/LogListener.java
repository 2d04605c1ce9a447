package io.kimi.features.logs;

/**
 * Receives the findings of a {@link LogWatcher}, on the watcher's thread, in the order the logs hold them.
 * It should hand work off quickly (the store's writes are asynchronous); an exception it throws is logged and
 * does not stop the watcher.
 */
@FunctionalInterface
public interface LogListener {

    void onFinding(LogFinding finding);
}
