package io.kimi.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * {@code [features.compaction]}: replaces the middle of long conversations by one summary message.
 *
 * @param enabled whether compactions are applied to requests (and may be made)
 * @param auto whether a session over {@code threshold} of its context window is compacted by itself
 * @param threshold the share of the context window (0-1, default 0.85) that triggers automatic compaction
 * @param keepLastExchanges exchanges (a user message and what follows it) kept as they are at the end
 * @param minMessages conversations with fewer messages (system messages excluded) are not compacted
 * @param cooldown the shortest time between two automatic compactions of a session
 * @param maxConsecutive automatic compactions in a row (without the session dropping below the threshold) before
 *     automatic compaction stops for that session
 * @param summaryModel the model key that writes summaries, through this proxy; {@code null} for the heuristic
 *     summary only
 * @param summaryTimeout the longest wait for the summariser before falling back to the heuristic summary
 */
public record CompactionConfig(boolean enabled, boolean auto, double threshold, int keepLastExchanges,
        int minMessages, Duration cooldown, int maxConsecutive, String summaryModel, Duration summaryTimeout) {
    public static final CompactionConfig DEFAULT = new CompactionConfig(true, true, 0.85, 4, 8,
            Duration.ofMinutes(5), 3, null, Duration.ofSeconds(60));

    public CompactionConfig {
        requireNonNull(cooldown, "cooldown");
        requireNonNull(summaryTimeout, "summaryTimeout");
        if (!(threshold > 0 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold: " + threshold + " (expected: > 0 and <= 1)");
        }
        if (keepLastExchanges < 1 || minMessages < 0 || maxConsecutive < 0) {
            throw new IllegalArgumentException("keepLastExchanges >= 1, minMessages >= 0, maxConsecutive >= 0");
        }
    }
}
