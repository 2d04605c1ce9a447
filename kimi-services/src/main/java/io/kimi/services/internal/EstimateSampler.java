package io.kimi.services.internal;

/**
 * Decides which replies with reported usage also get our own count of their completion
 * ({@code [server] estimate_sample_every}): every n-th one, starting with the first; 1 is every one, 0 none.
 * Not thread-safe: the accounting thread alone asks.
 */
final class EstimateSampler {
    private final int every;
    private long seen;

    EstimateSampler(int every) {
        if (every < 0) {
            throw new IllegalArgumentException("every: " + every + " (expected: >= 0)");
        }
        this.every = every;
    }

    /** Whether the next reply with reported usage is counted too. */
    boolean next() {
        if (every == 0) {
            return false;
        }
        return seen++ % every == 0;
    }
}
