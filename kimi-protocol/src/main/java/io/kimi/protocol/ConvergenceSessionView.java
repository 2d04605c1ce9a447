package io.kimi.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * A convergence-loop session: the common fields, its final state and totals.
 *
 * @param finalState the state it ended in, {@code null} while running
 */
public record ConvergenceSessionView(
        @JsonUnwrapped SessionHeader header,
        @JsonProperty("final_state") String finalState,
        @JsonProperty("metrics") Totals metrics) implements SessionView {

    /** Totals over the iterations; tests as reported by the latest iteration that reported them. */
    public record Totals(
            @JsonProperty("total_findings") long totalFindings,
            @JsonProperty("total_fixes") long totalFixes,
            @JsonProperty("total_vulnerabilities") long totalVulnerabilities,
            @JsonProperty("tests_passed") long testsPassed,
            @JsonProperty("tests_failed") long testsFailed) {
    }
}
