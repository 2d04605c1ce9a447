package io.kimi.config;

/**
 * {@code [server]}'s keys for recording proxied requests (the accounting thread).
 *
 * @param estimateSampleEvery how often the completion is counted locally (jtokkit) when the provider reported
 *     usage: every n-th such request (1: always; 0: never). Without reported usage it is always counted, since
 *     the estimate is then what counts. The estimate-versus-reported accuracy is computed over the counted ones
 */
public record AccountingConfig(int estimateSampleEvery) {
    /** Every 16th request with reported usage counted locally. */
    public static final AccountingConfig DEFAULTS = new AccountingConfig(16);

    public AccountingConfig {
        if (estimateSampleEvery < 0) {
            throw new IllegalArgumentException("estimateSampleEvery: " + estimateSampleEvery + " (expected: >= 0)");
        }
    }
}
