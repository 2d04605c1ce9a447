package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * {@code GET /api/sessions/{id}/metrics} of a proxy session.
 *
 * @param kind {@code proxy}
 * @param durationSeconds how long it has been counting, one decimal
 * @param tokensPerMinute its tokens over its duration (at least a minute), one decimal
 */
public record ProxySessionMetrics(
        @JsonProperty("session_id") String sessionId,
        @JsonProperty("kind") String kind,
        @JsonUnwrapped RequestTotals totals,
        @JsonProperty("duration_seconds") double durationSeconds,
        @JsonProperty("tokens_per_minute") double tokensPerMinute,
        @JsonProperty("latency_ms") LatencyFigures latencyMs,
        @JsonProperty("estimate_accuracy") AccuracyFigures estimateAccuracy,
        @JsonProperty("context") ProxySessionView.ContextGauge context) {
}
