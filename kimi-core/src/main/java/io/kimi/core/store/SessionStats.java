package io.kimi.core.store;

/**
 * Counts and averages over the sessions of one kind.
 *
 * @param total sessions stored
 * @param running of which are running
 * @param converged of which converged
 * @param failed of which failed
 * @param completed of which completed
 * @param averageIterations mean {@code current_iteration} (0 when there are no sessions)
 * @param averageDurationSeconds mean of (end time, or now while not ended) minus start time, in seconds
 *     (0 when there are no sessions)
 */
public record SessionStats(
        long total,
        long running,
        long converged,
        long failed,
        long completed,
        double averageIterations,
        double averageDurationSeconds) {

    public static final SessionStats EMPTY = new SessionStats(0, 0, 0, 0, 0, 0.0, 0.0);
}
