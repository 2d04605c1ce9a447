package io.kimi.core;

/**
 * Cumulative accounting of a proxy session.
 *
 * @param requests requests counted
 * @param failedRequests of which ended in an error or were cancelled
 * @param promptTokens sum of effective prompt tokens
 * @param completionTokens sum of effective completion tokens
 * @param cachedTokens sum of cached prompt tokens
 * @param estimatedPromptTokens sum of our prompt estimates (to compare with reported)
 * @param contextTokens the current context fill: the last request's prompt + completion
 * @param costUsd sum of costs
 */
public record SessionTotals(
        long requests,
        long failedRequests,
        long promptTokens,
        long completionTokens,
        long cachedTokens,
        long estimatedPromptTokens,
        long contextTokens,
        double costUsd) {

    public static final SessionTotals ZERO = new SessionTotals(0, 0, 0, 0, 0, 0, 0, 0.0);

    public long totalTokens() {
        return promptTokens + completionTokens;
    }

    /** These totals with one more request added; the context fill becomes that request's. */
    public SessionTotals plus(RequestRecord request) {
        TokenUsage usage = request.effective();
        boolean failed = request.status() != RequestStatus.SUCCESS;
        long context = usage.totalTokens() > 0 ? usage.totalTokens() : contextTokens;
        return new SessionTotals(
                requests + 1,
                failedRequests + (failed ? 1 : 0),
                promptTokens + usage.promptTokens(),
                completionTokens + usage.completionTokens(),
                cachedTokens + usage.cachedPromptTokens(),
                estimatedPromptTokens + request.estimated().promptTokens(),
                context,
                costUsd + request.costUsd());
    }
}
