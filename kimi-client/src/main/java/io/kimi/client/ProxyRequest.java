package io.kimi.client;

import java.time.Instant;

/**
 * One proxied chat completion as recorded in its session. Token counts are the provider's when it reported
 * usage ({@code usageSource} {@code reported}), else the dashboard's estimate. {@code estimatedCompletionTokens} is
 * {@code null} when the dashboard did not count the completion itself (the provider reported usage and the request
 * was not in the sample the server counts, its {@code estimate_sample_every}).
 */
public record ProxyRequest(String requestId, String sessionId, Instant timestamp, String provider, String model,
        String upstreamModel, boolean stream, String status, int httpStatus, String errorType, String errorMessage,
        long promptTokens, long completionTokens, long totalTokens, long cachedTokens, String usageSource,
        long estimatedPromptTokens, Long estimatedCompletionTokens, Long reportedPromptTokens,
        Long reportedCompletionTokens, double costUsd, long latencyMs, Long ttftMs, String source) {
}
