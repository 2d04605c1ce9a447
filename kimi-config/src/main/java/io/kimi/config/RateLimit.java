package io.kimi.config;

/**
 * A provider's rate limits: {@code requests_per_minute} and {@code tokens_per_minute} of
 * {@code [providers.<key>]}. Zero means unlimited.
 *
 * @param requestsPerMinute requests accepted per minute, 0 for no limit
 * @param tokensPerMinute tokens (prompt + completion) accepted per minute, 0 for no limit
 */
public record RateLimit(int requestsPerMinute, long tokensPerMinute) {
    /** No limit at all. */
    public static final RateLimit UNLIMITED = new RateLimit(0, 0);

    public RateLimit {
        if (requestsPerMinute < 0) {
            throw new IllegalArgumentException("requestsPerMinute: " + requestsPerMinute + " (expected: >= 0)");
        }
        if (tokensPerMinute < 0) {
            throw new IllegalArgumentException("tokensPerMinute: " + tokensPerMinute + " (expected: >= 0)");
        }
    }

    /** Whether either limit is set. */
    public boolean isLimited() {
        return requestsPerMinute > 0 || tokensPerMinute > 0;
    }
}
