package io.kimi.features.compaction;

import static java.util.Objects.requireNonNull;

/**
 * What a summariser may know about the compaction it summarises for (for its logs).
 *
 * @param sessionId the session whose messages are summarised
 * @param compactionId the compaction the summary is for
 */
public record SummaryRequest(String sessionId, String compactionId) {

    public SummaryRequest {
        requireNonNull(sessionId, "sessionId");
        requireNonNull(compactionId, "compactionId");
    }
}
