package io.kimi.core.store.sqlite;

import static java.util.Objects.requireNonNull;

import io.kimi.core.Findings;
import io.kimi.core.RequestStatus;
import io.kimi.core.SessionKind;
import io.kimi.core.SessionStatus;
import io.kimi.core.store.ConvergenceFigures;
import io.kimi.core.store.EstimateAccuracy;
import io.kimi.core.store.LatencyPercentiles;
import io.kimi.core.store.MaskStats;
import io.kimi.core.store.MemoryStats;
import io.kimi.core.store.RequestFilter;
import io.kimi.core.store.RequestStats;
import io.kimi.core.store.SessionStats;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/**
 * The SQL of the metrics reads: aggregates computed by SQLite, on the read-only pool, served by the indexes of
 * {@code V2__metrics_indexes.sql} and the aggregate tables of {@code V3__convergence_aggregates.sql}.
 */
final class StatsReads {
    /**
     * The effective count of a usage column, as {@link io.kimi.core.RequestRecord#countedUsage} decides it: the
     * reported one when the provider reported usage, else our estimate for a 2xx reply, else 0.
     */
    private static String effective(String column) {
        return "CASE WHEN rep_prompt IS NOT NULL THEN rep_" + column
                + " WHEN http_status BETWEEN 200 AND 299 THEN est_" + column + " ELSE 0 END";
    }

    private static final String REQUEST_AGGREGATES = "SELECT COUNT(*) AS requests,"
            + " COALESCE(SUM(CASE WHEN status <> '" + RequestStatus.SUCCESS.wireName() + "' THEN 1 ELSE 0 END), 0)"
            + " AS failed,"
            + " COALESCE(SUM(" + effective("prompt") + "), 0) AS prompt,"
            + " COALESCE(SUM(" + effective("completion") + "), 0) AS completion,"
            + " COALESCE(SUM(" + effective("cached") + "), 0) AS cached,"
            + " COALESCE(SUM(cost_usd), 0.0) AS cost,"
            + " COUNT(rep_prompt) AS reported,"
            + " COALESCE(SUM(CASE WHEN rep_prompt > 0 THEN 1 ELSE 0 END), 0) AS prompt_samples,"
            + " COALESCE(AVG(CASE WHEN rep_prompt > 0"
            + " THEN ABS(est_prompt - rep_prompt) * 100.0 / rep_prompt END), 0.0) AS prompt_error,"
            // The completion is estimated only on a sample of the requests with reported usage (est_completion
            // below 0 elsewhere): its figures are over that sample.
            + " COALESCE(SUM(CASE WHEN rep_prompt IS NOT NULL AND est_completion >= 0 THEN 1 ELSE 0 END), 0)"
            + " AS completion_sampled,"
            + " COALESCE(SUM(CASE WHEN rep_completion > 0 AND est_completion >= 0 THEN 1 ELSE 0 END), 0)"
            + " AS completion_samples,"
            + " COALESCE(AVG(CASE WHEN rep_completion > 0 AND est_completion >= 0"
            + " THEN ABS(est_completion - rep_completion) * 100.0 / rep_completion END), 0.0) AS completion_error"
            + " FROM requests";

    /** The sessions in each status, as the columns {@code running, converged, failed, completed}, then a comma. */
    private static final String STATUS_COUNTS = statusCount(SessionStatus.RUNNING) + " AS running,"
            + statusCount(SessionStatus.CONVERGED) + " AS converged,"
            + statusCount(SessionStatus.FAILED) + " AS failed,"
            + statusCount(SessionStatus.COMPLETED) + " AS completed,";

    private final Jdbi jdbi;

    StatsReads(Jdbi jdbi) {
        this.jdbi = requireNonNull(jdbi, "jdbi");
    }

    RequestStats requestStats(RequestFilter filter) {
        return jdbi.withHandle(h -> bind(h.createQuery(REQUEST_AGGREGATES + where(filter, List.of())), filter)
                .map((rs, ctx) -> new RequestStats(
                        rs.getLong("requests"),
                        rs.getLong("failed"),
                        rs.getLong("prompt"),
                        rs.getLong("completion"),
                        rs.getLong("cached"),
                        rs.getDouble("cost"),
                        new EstimateAccuracy(
                                rs.getLong("reported"),
                                rs.getLong("prompt_samples"),
                                rs.getDouble("prompt_error"),
                                rs.getLong("completion_samples"),
                                rs.getDouble("completion_error"),
                                rs.getLong("completion_sampled"))))
                .one());
    }

    /** Nearest-rank percentiles: one count, then one indexed {@code ORDER BY latency_ms} lookup per rank. */
    LatencyPercentiles latencyPercentiles(RequestFilter filter) {
        String where = where(filter, List.of("status = '" + RequestStatus.SUCCESS.wireName() + "'"));
        return jdbi.inTransaction(h -> {
            long count = bind(h.createQuery("SELECT COUNT(*) FROM requests" + where), filter)
                    .mapTo(Long.class)
                    .one();
            if (count == 0) {
                return LatencyPercentiles.EMPTY;
            }
            return new LatencyPercentiles(count,
                    latencyAt(h, where, filter, LatencyPercentiles.rank(0.50, count)),
                    latencyAt(h, where, filter, LatencyPercentiles.rank(0.90, count)),
                    latencyAt(h, where, filter, LatencyPercentiles.rank(0.99, count)));
        });
    }

    SessionStats sessionStats(SessionKind kind, Instant now) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) AS total," + STATUS_COUNTS
                        + " COALESCE(AVG(current_iteration), 0.0) AS iterations,"
                        + " COALESCE(AVG((julianday(COALESCE(end_time, :now)) - julianday(start_time)) * 86400.0),"
                        + " 0.0) AS duration"
                        + " FROM sessions WHERE kind = :kind")
                .bind("kind", kind.wireName())
                .bind("now", SqliteTime.format(now))
                .map((rs, ctx) -> new SessionStats(
                        rs.getLong("total"),
                        rs.getLong("running"),
                        rs.getLong("converged"),
                        rs.getLong("failed"),
                        rs.getLong("completed"),
                        rs.getDouble("iterations"),
                        Math.max(0.0, rs.getDouble("duration"))))
                .one());
    }

    /** Sums the findings of every stored iteration of the convergence sessions. */
    Findings countFindings() {
        return jdbi.withHandle(StatsReads::countFindings);
    }

    private static Findings countFindings(Handle h) {
        return h.createQuery("SELECT"
                        + " COALESCE(SUM(i.findings_critical), 0) AS critical,"
                        + " COALESCE(SUM(i.findings_high), 0) AS high,"
                        + " COALESCE(SUM(i.findings_medium), 0) AS medium,"
                        + " COALESCE(SUM(i.findings_low), 0) AS low,"
                        + " COALESCE(SUM(i.findings_info), 0) AS info"
                        + " FROM convergence_iterations i JOIN sessions s ON s.session_id = i.session_id"
                        + " WHERE s.kind = '" + SessionKind.CONVERGENCE.wireName() + "'")
                .map((rs, ctx) -> new Findings(rs.getLong("critical"), rs.getLong("high"), rs.getLong("medium"),
                        rs.getLong("low"), rs.getLong("info")))
                .one();
    }

    /** Convergence sessions by status, with the sums of their iterations, findings, fixes and vulnerabilities. */
    ConvergenceFigures convergenceFigures() {
        return jdbi.inTransaction(h -> {
            Findings findings = countFindings(h);
            return h.createQuery("SELECT" + STATUS_COUNTS
                        + " COALESCE(SUM(MAX(current_iteration, 0)), 0) AS iterations,"
                        + " COALESCE(SUM(total_fixes), 0) AS fixes,"
                        + " COALESCE(SUM(total_vulnerabilities), 0) AS vulnerabilities"
                        + " FROM sessions WHERE kind = '" + SessionKind.CONVERGENCE.wireName() + "'")
                .map((rs, ctx) -> new ConvergenceFigures(rs.getLong("running"), rs.getLong("converged"),
                        rs.getLong("failed"), rs.getLong("completed"), rs.getLong("iterations"), findings,
                        rs.getLong("fixes"), rs.getLong("vulnerabilities")))
                .one();
        });
    }

    /** Totals over every stored mask. */
    MaskStats maskStats() {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) AS masks,"
                        + " COALESCE(SUM(original_tokens), 0) AS original,"
                        + " COALESCE(SUM(placeholder_tokens), 0) AS placeholder"
                        + " FROM masks")
                .map((rs, ctx) -> new MaskStats(rs.getLong("masks"), rs.getLong("original"),
                        rs.getLong("placeholder")))
                .one());
    }

    /** One session's memory sums ({@code memory_totals}), or every session's added up when {@code sessionId} is null. */
    MemoryStats memoryStats(String sessionId) {
        String where = sessionId == null ? "" : " WHERE session_id = :session_id";
        return jdbi.withHandle(h -> {
            Query query = h.createQuery("SELECT COALESCE(SUM(requests), 0) AS requests,"
                    + " COALESCE(SUM(with_memory), 0) AS with_memory,"
                    + " COALESCE(SUM(memory_tokens), 0) AS memory,"
                    + " COALESCE(SUM(chat_tokens), 0) AS chat,"
                    + " COALESCE(SUM(markers), 0) AS markers"
                    + " FROM memory_totals" + where);
            if (sessionId != null) {
                query.bind("session_id", sessionId);
            }
            return query.map((rs, ctx) -> new MemoryStats(rs.getLong("requests"), rs.getLong("with_memory"),
                            rs.getLong("memory"), rs.getLong("chat"), rs.getLong("markers")))
                    .one();
        });
    }

    private static long latencyAt(Handle h, String where, RequestFilter filter, long rank) {
        return bind(h.createQuery("SELECT latency_ms FROM requests" + where
                        + " ORDER BY latency_ms LIMIT 1 OFFSET :rank"), filter)
                .bind("rank", rank)
                .mapTo(Long.class)
                .one();
    }

    private static String statusCount(SessionStatus status) {
        return " COALESCE(SUM(CASE WHEN status = '" + status.wireName() + "' THEN 1 ELSE 0 END), 0)";
    }

    private static String where(RequestFilter filter, List<String> fixed) {
        List<String> conditions = new ArrayList<>(fixed);
        if (filter.sessionId() != null) {
            conditions.add("session_id = :session_id");
        }
        if (filter.since() != null) {
            conditions.add("timestamp >= :since");
        }
        return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
    }

    private static Query bind(Query query, RequestFilter filter) {
        if (filter.sessionId() != null) {
            query.bind("session_id", filter.sessionId());
        }
        if (filter.since() != null) {
            query.bind("since", SqliteTime.format(filter.since()));
        }
        return query;
    }
}
