package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.util.List;

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

    /**
     * The order of a request's fields in the CSV export, as it has been since the export's first version (CSV
     * readers may go by position); fields added later come after these, in the view's order.
     */
    public static final List<String> CSV_COLUMN_ORDER = List.of("request_id", "session_id", "timestamp",
            "provider", "model", "upstream_model", "stream", "status", "http_status", "error_type", "error_message",
            "prompt_tokens", "completion_tokens", "total_tokens", "cached_tokens", "usage_source",
            "estimated_prompt_tokens", "estimated_completion_tokens", "reported_prompt_tokens",
            "reported_completion_tokens", "cost_usd", "latency_ms", "ttft_ms", "source", "estimated_reply_bytes",
            "accounting_error");
}
