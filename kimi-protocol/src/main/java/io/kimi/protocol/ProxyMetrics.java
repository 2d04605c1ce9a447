package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * {@code proxy} of {@code GET /api/metrics}: every stored proxied request.
 *
 * @param sessions how many proxy sessions are stored
 */
public record ProxyMetrics(
        @JsonProperty("sessions") long sessions,
        @JsonUnwrapped RequestTotals totals,
        @JsonProperty("tokens_per_minute") TokenRate tokensPerMinute,
        @JsonProperty("latency_ms") LatencyFigures latencyMs,
        @JsonProperty("estimate_accuracy") AccuracyFigures estimateAccuracy) {
}
