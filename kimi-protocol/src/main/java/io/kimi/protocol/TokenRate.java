package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code tokens_per_minute} of {@code GET /api/metrics}.
 *
 * @param last60s tokens of the requests that arrived in the last 60 s
 * @param averageSinceStart tokens per minute since the server started, one decimal
 */
public record TokenRate(
        @JsonProperty("last_60s") long last60s,
        @JsonProperty("average_since_start") double averageSinceStart,
        @JsonProperty("uptime_seconds") long uptimeSeconds) {
}
