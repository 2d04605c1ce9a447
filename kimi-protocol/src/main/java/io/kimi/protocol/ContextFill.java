package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where a request left its session's context gauge (unwrapped into {@link MetricData} and
 * {@link RequestEventData}).
 *
 * @param contextPercent rounded to two decimals
 * @param level {@code normal}, {@code warning}, {@code high} or {@code critical} ({@code [thresholds]})
 */
public record ContextFill(
        @JsonProperty("context_tokens") long contextTokens,
        @JsonProperty("context_window") int contextWindow,
        @JsonProperty("context_percent") double contextPercent,
        @JsonProperty("level") String level) {
}
