package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code estimate_accuracy}: how far the token estimate is from the provider's reported usage.
 *
 * @param promptMeanAbsErrorPercent two decimals, {@code null} without samples
 * @param completionMeanAbsErrorPercent two decimals, {@code null} without samples
 * @param completionSampledRequests the completion is counted locally only on a sample of the requests with
 *     reported usage; its error is over these
 */
public record AccuracyFigures(
        @JsonProperty("requests_with_reported_usage") long requestsWithReportedUsage,
        @JsonProperty("prompt_mean_abs_error_percent") Double promptMeanAbsErrorPercent,
        @JsonProperty("completion_mean_abs_error_percent") Double completionMeanAbsErrorPercent,
        @JsonProperty("completion_sampled_requests") long completionSampledRequests) {
}
