package io.kimi.client;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Collections;
import java.util.Map;

/**
 * {@code GET /api/metrics}: convergence sessions (seed 002's fields) and, in {@link #proxy()}, every proxied
 * request. Computed from the stored data, so it survives server restarts.
 *
 * @param totalSessions convergence sessions
 * @param activeSessions running convergence sessions
 * @param convergedSessions converged ones
 * @param failedSessions failed ones
 * @param averageIterations mean iterations per session
 * @param averageDuration mean duration in seconds (a running session lasting until now)
 * @param findingsBySeverity {@code critical, high, medium, low, info} to counts
 * @param proxy the proxy's totals
 * @param bridge the convergence bridge's state ({@code state}, {@code url}, ...), as the server reports it
 */
public record SystemMetrics(long totalSessions, long activeSessions, long convergedSessions, long failedSessions,
        double averageIterations, double averageDuration, Map<String, Long> findingsBySeverity, ProxyMetrics proxy,
        Map<String, Object> bridge) {
    public SystemMetrics {
        findingsBySeverity = findingsBySeverity == null ? Map.of()
                : Collections.unmodifiableMap(findingsBySeverity);
        bridge = bridge == null ? Map.of() : Collections.unmodifiableMap(bridge);
    }

    /** Totals over every stored proxied request. */
    public record ProxyMetrics(long sessions, long requests, long failedRequests, long promptTokens,
            long completionTokens, long totalTokens, long cachedTokens, double costUsd,
            TokensPerMinute tokensPerMinute, Latency latencyMs, EstimateAccuracy estimateAccuracy) {
    }

    /**
     * @param last60s tokens of requests that arrived in the last 60 s
     * @param averageSinceStart tokens per minute since the server started
     * @param uptimeSeconds the server's uptime
     */
    public record TokensPerMinute(@JsonProperty("last_60s") long last60s, double averageSinceStart,
            long uptimeSeconds) {
    }

    /** Nearest-rank latency percentiles of successful requests, in milliseconds, over {@code count} requests. */
    public record Latency(long p50, long p90, long p99, long count) {
    }

    /**
     * How far the dashboard's token estimate is from the provider's reported usage, as a mean absolute error in
     * percent ({@code null} without samples). The completion is counted only on a sample of the requests with
     * reported usage, {@code completionSampledRequests} of them ({@code null} from a server older than the
     * sampling, which counted every one); its error is over that sample.
     */
    public record EstimateAccuracy(long requestsWithReportedUsage, Double promptMeanAbsErrorPercent,
            Double completionMeanAbsErrorPercent, Long completionSampledRequests) {
    }
}
