package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Stored proxied requests summed (unwrapped into {@link ProxyMetrics} and {@link ProxySessionMetrics}): tokens are
 * the reported ones, else the estimate; {@code failed_requests} counts every status but {@code success}.
 */
public record RequestTotals(
        @JsonProperty("requests") long requests,
        @JsonProperty("failed_requests") long failedRequests,
        @JsonProperty("prompt_tokens") long promptTokens,
        @JsonProperty("completion_tokens") long completionTokens,
        @JsonProperty("total_tokens") long totalTokens,
        @JsonProperty("cached_tokens") long cachedTokens,
        @JsonProperty("cost_usd") double costUsd) {
}
