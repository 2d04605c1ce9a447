package io.kimi.config;

/**
 * {@code [features.sanitizer]}: replaces verbose tool, console and file output by a placeholder that names the
 * stored original by its hash.
 *
 * @param enabled whether it runs
 * @param thresholdTokens messages over this many tokens are masked
 * @param previewChars characters of the original kept in the placeholder (head and tail together)
 * @param keepLastToolResults observation masking: tool results older than the last N are masked whatever their
 *     size (once over {@code minObservationTokens}); 0 turns observation masking off
 * @param minObservationTokens observation masking leaves results of at most this many tokens alone (a
 *     placeholder would not be shorter)
 */
public record SanitizerConfig(boolean enabled, int thresholdTokens, int previewChars, int keepLastToolResults,
        int minObservationTokens) {
    public static final SanitizerConfig DEFAULT = new SanitizerConfig(true, 1000, 200, 0, 200);

    public SanitizerConfig {
        if (thresholdTokens < 1) {
            throw new IllegalArgumentException("thresholdTokens: " + thresholdTokens + " (expected: >= 1)");
        }
        if (previewChars < 0 || keepLastToolResults < 0 || minObservationTokens < 0) {
            throw new IllegalArgumentException("previewChars, keepLastToolResults, minObservationTokens: expected >= 0");
        }
    }
}
