package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code GET /api/metrics}: seed 002's figures over convergence sessions, the bridge, and the proxied requests.
 *
 * @param activeSessions running convergence sessions
 * @param averageIterations two decimals
 * @param averageDuration seconds, one decimal
 */
public record SystemMetricsView(
        @JsonProperty("total_sessions") long totalSessions,
        @JsonProperty("active_sessions") long activeSessions,
        @JsonProperty("converged_sessions") long convergedSessions,
        @JsonProperty("failed_sessions") long failedSessions,
        @JsonProperty("average_iterations") double averageIterations,
        @JsonProperty("average_duration") double averageDuration,
        @JsonProperty("findings_by_severity") FindingCounts findingsBySeverity,
        @JsonProperty("bridge") BridgeState bridge,
        @JsonProperty("proxy") ProxyMetrics proxy) {
}
