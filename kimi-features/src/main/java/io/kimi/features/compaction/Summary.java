package io.kimi.features.compaction;

import static java.util.Objects.requireNonNull;

/**
 * A summary of compacted messages.
 *
 * @param text the summary (without the header the summary message adds)
 * @param method how it was made: {@value ModelSummarizer#METHOD} or {@value HeuristicSummarizer#METHOD}
 */
public record Summary(String text, String method) {

    public Summary {
        requireNonNull(text, "text");
        requireNonNull(method, "method");
    }
}
