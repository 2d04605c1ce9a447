package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * The {@code data} of a {@code REQUEST_COMPLETED}/{@code REQUEST_FAILED} event (stored, pushed live, exported).
 *
 * @param error the request's error message; absent when none
 * @param originalPromptTokens the prompt before context features changed it; absent when none ran
 * @param features what the context features did; absent when none ran
 */
public record RequestEventData(
        @JsonUnwrapped RequestFigures request,
        @JsonUnwrapped ContextFill context,
        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("error") String error,
        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("original_prompt_tokens") Long originalPromptTokens,
        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("features") Object features) {
}
