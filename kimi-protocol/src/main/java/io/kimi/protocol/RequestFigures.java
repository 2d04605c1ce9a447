package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * What every view of one proxied request shows (unwrapped into {@link RequestView}, {@link MetricData} and
 * {@link RequestEventData}).
 *
 * @param timestamp ISO-8601 arrival
 * @param status {@code success}, {@code error}, {@code malformed_reply}, ...
 * @param estimatedCompletionTokens our count of the completion; {@code null} when it was not counted (reported
 *     usage outside the sample, {@code [server] estimate_sample_every}); always written
 * @param ttftMs to the first byte of the reply, {@code -1} when none came
 * @param estimatedReplyBytes reply bytes past {@code max_accounted_reply_bytes}, estimated instead of counted
 * @param accountingError why counting failed, or {@code null}
 */
public record RequestFigures(
        @JsonProperty("request_id") String requestId,
        @JsonProperty("session_id") String sessionId,
        @JsonProperty("timestamp") String timestamp,
        @JsonProperty("provider") String provider,
        @JsonProperty("model") String model,
        @JsonProperty("stream") boolean stream,
        @JsonProperty("status") String status,
        @JsonProperty("http_status") int httpStatus,
        @JsonProperty("source") String source,
        @JsonUnwrapped TokenCounts tokens,
        @JsonProperty("usage_source") String usageSource,
        @JsonProperty("estimated_completion_tokens") Long estimatedCompletionTokens,
        @JsonProperty("latency_ms") long latencyMs,
        @JsonProperty("ttft_ms") long ttftMs,
        @JsonProperty("estimated_reply_bytes") long estimatedReplyBytes,
        @JsonProperty("accounting_error") String accountingError) {
}
