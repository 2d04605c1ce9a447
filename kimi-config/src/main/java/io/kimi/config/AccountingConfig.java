package io.kimi.config;

/**
 * {@code [server]}'s keys for recording proxied requests (the accounting thread).
 *
 * @param estimateSampleEvery how often the completion is counted locally (jtokkit) when the provider reported
 *     usage: every n-th such request (1: always; 0: never). Without reported usage it is always counted, since
 *     the estimate is then what counts. The estimate-versus-reported accuracy is computed over the counted ones
 * @param queueLimit finished requests waiting for the accounting thread, and records it queued for the SQLite
 *     writer, each at most this many: past it further requests are recorded the light way (counted as overflow),
 *     the accounting thread waits for the writer, and at twice it new chat completions are refused with a 503
 *     until the backlog drains; see {@code docs/proxy.md}
 */
public record AccountingConfig(int estimateSampleEvery, int queueLimit) {
    /** Every 16th request with reported usage counted locally; 10,000 requests waiting at most. */
    public static final AccountingConfig DEFAULTS = new AccountingConfig(16, 10_000);

    public AccountingConfig {
        if (estimateSampleEvery < 0) {
            throw new IllegalArgumentException("estimateSampleEvery: " + estimateSampleEvery + " (expected: >= 0)");
        }
        if (queueLimit < 1) {
            throw new IllegalArgumentException("queueLimit: " + queueLimit + " (expected: >= 1)");
        }
    }
}
