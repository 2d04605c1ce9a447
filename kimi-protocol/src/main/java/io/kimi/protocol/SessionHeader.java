package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The fields both kinds of session show (seed 002), unwrapped into {@link ProxySessionView} and
 * {@link ConvergenceSessionView}.
 *
 * @param kind {@code proxy} or {@code convergence}
 * @param startTime ISO-8601
 * @param endTime ISO-8601, {@code null} while running
 * @param config the session's configuration object
 */
public record SessionHeader(
        @JsonProperty("session_id") String sessionId,
        @JsonProperty("kind") String kind,
        @JsonProperty("name") String name,
        @JsonProperty("target") String target,
        @JsonProperty("status") String status,
        @JsonProperty("start_time") String startTime,
        @JsonProperty("end_time") String endTime,
        @JsonProperty("current_state") String currentState,
        @JsonProperty("current_iteration") int currentIteration,
        @JsonProperty("config") Object config) {
}
