package io.kimi.core;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * What one iteration of a convergence session reported, kept per {@code (sessionId, iteration)}.
 *
 * @param sessionId the convergence session
 * @param iteration the iteration number (1 is the first; 0 belongs to no iteration)
 * @param findings findings reported in this iteration, by severity
 * @param fixes fixes applied in this iteration
 * @param vulnerabilities vulnerabilities confirmed in this iteration
 * @param testsPassed tests passed, or {@code null} when not reported
 * @param testsFailed tests failed, or {@code null} when not reported
 * @param startedAt when the iteration started, or {@code null} when not known
 * @param endedAt when it ended, or {@code null} while running or when not known
 */
public record IterationStats(
        String sessionId,
        int iteration,
        Findings findings,
        long fixes,
        long vulnerabilities,
        Long testsPassed,
        Long testsFailed,
        Instant startedAt,
        Instant endedAt) {

    public IterationStats {
        requireNonNull(sessionId, "sessionId");
        requireNonNull(findings, "findings");
        if (iteration < 0) {
            throw new IllegalArgumentException("iteration: " + iteration + " (expected: >= 0)");
        }
    }
}
