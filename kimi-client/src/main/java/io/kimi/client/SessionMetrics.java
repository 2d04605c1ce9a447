package io.kimi.client;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/sessions/{id}/metrics}. A convergence session fills the iteration fields (lists indexed by
 * iteration, element 0 being iteration 1); a proxy session the request fields. The other kind's fields are 0,
 * empty or {@code null}.
 *
 * @param sessionId the session
 * @param kind {@code proxy} or {@code convergence}
 * @param durationSeconds how long it has run
 * @param iterations convergence: the highest iteration reached
 * @param findingsPerIteration convergence: findings per iteration
 * @param fixesPerIteration convergence: fixes per iteration
 * @param stepDurations convergence: step name ({@code diagnose, fix, attack, validate, ...}) to seconds per
 *     iteration
 * @param requests proxy: requests
 * @param failedRequests proxy: failed requests
 * @param promptTokens proxy: prompt tokens
 * @param completionTokens proxy: completion tokens
 * @param totalTokens proxy: total tokens
 * @param cachedTokens proxy: cached prompt tokens
 * @param costUsd proxy: cost
 * @param tokensPerMinute proxy: total tokens per minute of the session's duration
 * @param latencyMs proxy: latency percentiles
 * @param estimateAccuracy proxy: estimate against reported usage
 * @param context proxy: the context gauge
 */
public record SessionMetrics(String sessionId, String kind, double durationSeconds, int iterations,
        List<Long> findingsPerIteration, List<Long> fixesPerIteration, Map<String, List<Double>> stepDurations,
        long requests, long failedRequests, long promptTokens, long completionTokens, long totalTokens,
        long cachedTokens, double costUsd, double tokensPerMinute, SystemMetrics.Latency latencyMs,
        SystemMetrics.EstimateAccuracy estimateAccuracy, Session.ContextGauge context) {
    public SessionMetrics {
        findingsPerIteration = findingsPerIteration == null ? List.of() : List.copyOf(findingsPerIteration);
        fixesPerIteration = fixesPerIteration == null ? List.of() : List.copyOf(fixesPerIteration);
        stepDurations = stepDurations == null ? Map.of() : Collections.unmodifiableMap(stepDurations);
    }
}
