package io.kimi.core.store;

/**
 * Aggregates over a set of request records ({@link RequestFilter}). Token counts and cost are the effective ones
 * ({@link io.kimi.core.RequestRecord#effective()}): what the session totals count.
 *
 * @param requests requests recorded
 * @param failedRequests of which ended in an error or were cancelled
 * @param promptTokens sum of effective prompt tokens (cached ones included)
 * @param completionTokens sum of effective completion tokens
 * @param cachedTokens sum of effective cached prompt tokens
 * @param costUsd sum of costs
 * @param accuracy how close our local estimates came to the usage providers reported
 */
public record RequestStats(
        long requests,
        long failedRequests,
        long promptTokens,
        long completionTokens,
        long cachedTokens,
        double costUsd,
        EstimateAccuracy accuracy) {

    public static final RequestStats EMPTY = new RequestStats(0, 0, 0, 0, 0, 0.0, EstimateAccuracy.NONE);

    public RequestStats {
        if (accuracy == null) {
            accuracy = EstimateAccuracy.NONE;
        }
    }

    public long totalTokens() {
        return promptTokens + completionTokens;
    }
}
