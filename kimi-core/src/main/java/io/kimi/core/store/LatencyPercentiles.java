package io.kimi.core.store;

/**
 * Exact nearest-rank percentiles of the total latency (arrival to last byte) of successful requests, in
 * milliseconds: the p-th percentile is the smallest latency such that at least p % of the requests took no
 * longer. All 0 when {@code count} is 0.
 *
 * @param count successful requests measured
 * @param p50Ms median
 * @param p90Ms 90th percentile
 * @param p99Ms 99th percentile
 */
public record LatencyPercentiles(long count, long p50Ms, long p90Ms, long p99Ms) {
    public static final LatencyPercentiles EMPTY = new LatencyPercentiles(0, 0, 0, 0);

    /** The 0-based rank of the p-th percentile (0 < p <= 1) among {@code count} sorted values, for count > 0. */
    public static long rank(double p, long count) {
        if (!(p > 0 && p <= 1)) {
            throw new IllegalArgumentException("p: " + p + " (expected: 0 < p <= 1)");
        }
        if (count < 1) {
            throw new IllegalArgumentException("count: " + count + " (expected: >= 1)");
        }
        return Math.max(0, (long) Math.ceil(p * count) - 1);
    }
}
