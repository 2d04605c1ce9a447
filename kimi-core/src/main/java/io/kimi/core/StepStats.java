package io.kimi.core;

import static java.util.Objects.requireNonNull;

/**
 * One step (diagnose, fix, attack, validate, ...) of one iteration of a convergence session, kept per
 * {@code (sessionId, iteration, step)}.
 *
 * @param sessionId the convergence session
 * @param iteration the iteration number (1 is the first)
 * @param step the step's name as the loop reports it, e.g. {@code diagnose}
 * @param durationSeconds how long it took, in seconds, or {@code null} while running or when not known
 * @param status e.g. {@code started}, {@code complete}, {@code failed}
 */
public record StepStats(String sessionId, int iteration, String step, Double durationSeconds, String status) {

    public StepStats {
        requireNonNull(sessionId, "sessionId");
        requireNonNull(step, "step");
        requireNonNull(status, "status");
        if (iteration < 0) {
            throw new IllegalArgumentException("iteration: " + iteration + " (expected: >= 0)");
        }
    }
}
