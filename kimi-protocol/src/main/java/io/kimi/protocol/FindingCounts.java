package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Findings by severity, most severe first: {@code findings_by_severity} of {@code GET /api/metrics}. */
public record FindingCounts(
        @JsonProperty("critical") long critical,
        @JsonProperty("high") long high,
        @JsonProperty("medium") long medium,
        @JsonProperty("low") long low,
        @JsonProperty("info") long info) {
}
