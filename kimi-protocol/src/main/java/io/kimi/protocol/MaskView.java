package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A masked tool result: an item of {@code GET /api/mask} and {@code GET /api/mask/{hash}} (which adds
 * {@code content}; {@code null} content is left out).
 *
 * @param preview the start of the content
 */
public record MaskView(
        @JsonProperty("hash") String hash,
        @JsonProperty("session_id") String sessionId,
        @JsonProperty("request_id") String requestId,
        @JsonProperty("role") String role,
        @JsonProperty("tool_name") String toolName,
        @JsonProperty("original_tokens") long originalTokens,
        @JsonProperty("placeholder_tokens") long placeholderTokens,
        @JsonProperty("saved_tokens") long savedTokens,
        @JsonProperty("created_at") String createdAt,
        @JsonProperty("preview") String preview,
        @JsonProperty("content") @JsonInclude(JsonInclude.Include.NON_NULL) String content) {
}
