package io.kimi.core.store;

/**
 * Findings of convergence loops by severity.
 *
 * @param critical critical findings
 * @param high high findings
 * @param medium medium findings
 * @param low low findings
 * @param info informational findings
 */
public record FindingCounts(long critical, long high, long medium, long low, long info) {
    public static final FindingCounts ZERO = new FindingCounts(0, 0, 0, 0, 0);

    public long total() {
        return critical + high + medium + low + info;
    }
}
