package io.kimi.core;

/**
 * A convergence session's running totals (seed 002's session {@code metrics}), maintained as its events arrive.
 *
 * @param totalFindings findings reported over every iteration
 * @param totalFixes fixes applied
 * @param totalVulnerabilities vulnerabilities confirmed
 * @param testsPassed tests that passed
 * @param testsFailed tests that failed
 */
public record ConvergenceTotals(
        long totalFindings,
        long totalFixes,
        long totalVulnerabilities,
        long testsPassed,
        long testsFailed) {

    /** Nothing reported yet; also what every proxy session carries. */
    public static final ConvergenceTotals ZERO = new ConvergenceTotals(0, 0, 0, 0, 0);
}
