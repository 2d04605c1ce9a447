package io.kimi.core.store;

import io.kimi.core.Findings;
import io.kimi.core.SessionKind;
import java.time.Instant;

/** Figures computed over everything stored: what the metrics routes and the live gauges start from. */
public interface StoreStats {

    /** Counts, effective tokens, cost and estimate accuracy over the requests the filter selects. */
    RequestStats requestStats(RequestFilter filter);

    /** Exact nearest-rank latency percentiles of the successful requests the filter selects. */
    LatencyPercentiles latencyPercentiles(RequestFilter filter);

    /** Counts by status and averages over the sessions of one kind; a session not ended lasts until {@code now}. */
    SessionStats sessionStats(SessionKind kind, Instant now);

    /** Findings of convergence sessions by severity: the sum of the findings of every stored iteration. */
    Findings countFindings();

    /**
     * The convergence sessions' counts by status and the sums of their iterations, findings (of every stored
     * iteration), fixes and vulnerabilities: what the live gauges start from.
     */
    ConvergenceFigures convergenceFigures();
}
