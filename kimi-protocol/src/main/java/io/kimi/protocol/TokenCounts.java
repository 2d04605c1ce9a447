package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The token figures a request and a session's totals share (unwrapped into both): tokens are the reported ones,
 * else the estimate.
 */
public record TokenCounts(
        @JsonProperty("prompt_tokens") long promptTokens,
        @JsonProperty("completion_tokens") long completionTokens,
        @JsonProperty("total_tokens") long totalTokens,
        @JsonProperty("cached_tokens") long cachedTokens,
        @JsonProperty("estimated_prompt_tokens") long estimatedPromptTokens,
        @JsonProperty("cost_usd") double costUsd) {
}
