package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * One recorded request: {@code GET /api/sessions/{id}/requests}, a session's {@code recent_requests}, the
 * {@code init} message and the JSON/CSV export.
 *
 * @param reportedPromptTokens the provider's usage, {@code null} when it reported none
 */
public record RequestView(
        @JsonUnwrapped RequestFigures figures,
        @JsonProperty("upstream_model") String upstreamModel,
        @JsonProperty("error_type") String errorType,
        @JsonProperty("error_message") String errorMessage,
        @JsonProperty("reported_prompt_tokens") Long reportedPromptTokens,
        @JsonProperty("reported_completion_tokens") Long reportedCompletionTokens) {
}
