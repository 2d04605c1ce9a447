package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/sessions/{id}/metrics} of a convergence session.
 *
 * @param kind {@code convergence}
 * @param durationSeconds to its end, or to now while it runs; one decimal
 * @param stepDurations seconds of each step, by step name, in order
 */
public record ConvergenceSessionMetrics(
        @JsonProperty("session_id") String sessionId,
        @JsonProperty("kind") String kind,
        @JsonProperty("iterations") int iterations,
        @JsonProperty("duration_seconds") double durationSeconds,
        @JsonProperty("findings_per_iteration") List<Long> findingsPerIteration,
        @JsonProperty("fixes_per_iteration") List<Long> fixesPerIteration,
        @JsonProperty("step_durations") Map<String, List<Double>> stepDurations) {
}
