package io.kimi.services.internal;

import static java.util.Objects.requireNonNull;

/**
 * One provider's rate limits and what is left of them now ({@code GET /api/rate-limit}). A limit that is not
 * set is {@code null}, with its availability.
 *
 * @param provider the provider key
 * @param requestsPerMinute the request limit, or {@code null} when requests are not limited
 * @param tokensPerMinute the token limit, or {@code null} when tokens are not limited
 * @param requestsAvailable requests that may be sent now, or {@code null}
 * @param tokensAvailable tokens that may be used now, or {@code null}
 * @param limited whether any limit is set
 */
public record RateLimitUsage(String provider, Integer requestsPerMinute, Long tokensPerMinute,
        Long requestsAvailable, Long tokensAvailable, boolean limited) {

    public RateLimitUsage {
        requireNonNull(provider, "provider");
    }

    /** A provider without limits. */
    public static RateLimitUsage unlimited(String provider) {
        return new RateLimitUsage(provider, null, null, null, null, false);
    }
}
