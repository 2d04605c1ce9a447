package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

/** The {@code data} of a {@code metric} message: one proxied request and where it left its session. */
public record MetricData(
        @JsonUnwrapped RequestFigures request,
        @JsonUnwrapped ContextFill context,
        @JsonProperty("session_total_tokens") long sessionTotalTokens,
        @JsonProperty("session_cost_usd") double sessionCostUsd) {
}
