package io.kimi.core;

/**
 * Findings of a convergence loop by severity.
 *
 * @param critical critical findings
 * @param high high findings
 * @param medium medium findings
 * @param low low findings
 * @param info informational findings
 */
public record Findings(long critical, long high, long medium, long low, long info) {
    public static final Findings ZERO = new Findings(0, 0, 0, 0, 0);

    public long total() {
        return critical + high + medium + low + info;
    }
}
