package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code GET /api/sanitizer/stats}: the settings, what the stored masks saved, and the counters since start.
 */
public record SanitizerStats(
        @JsonProperty("enabled") boolean enabled,
        @JsonProperty("threshold_tokens") int thresholdTokens,
        @JsonProperty("preview_chars") int previewChars,
        @JsonProperty("keep_last_tool_results") int keepLastToolResults,
        @JsonProperty("masks") long masks,
        @JsonProperty("original_tokens") long originalTokens,
        @JsonProperty("placeholder_tokens") long placeholderTokens,
        @JsonProperty("saved_tokens") long savedTokens,
        @JsonProperty("requests_seen") long requestsSeen,
        @JsonProperty("requests_masked") long requestsMasked,
        @JsonProperty("messages_masked") long messagesMasked,
        @JsonProperty("tokens_saved_since_start") long tokensSavedSinceStart) {
}
