package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code latency_ms}: exact nearest-rank percentiles of the total latency of {@code count} successful requests. */
public record LatencyFigures(
        @JsonProperty("p50") long p50,
        @JsonProperty("p90") long p90,
        @JsonProperty("p99") long p99,
        @JsonProperty("count") long count) {
}
