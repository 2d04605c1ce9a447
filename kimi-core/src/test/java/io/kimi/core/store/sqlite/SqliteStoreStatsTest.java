package io.kimi.core.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.kimi.core.ConvergenceTotals;
import io.kimi.core.Event;
import io.kimi.core.Findings;
import io.kimi.core.IterationStats;
import io.kimi.core.RequestRecord;
import io.kimi.core.RequestStatus;
import io.kimi.core.Session;
import io.kimi.core.SessionKind;
import io.kimi.core.SessionStatus;
import io.kimi.core.SessionTotals;
import io.kimi.core.TokenUsage;
import io.kimi.core.store.EstimateAccuracy;
import io.kimi.core.store.LatencyPercentiles;
import io.kimi.core.store.RequestFilter;
import io.kimi.core.store.RequestStats;
import io.kimi.core.store.SessionStats;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metrics reads of {@link SqliteStore}: aggregates computed by SQLite on a real file. */
class SqliteStoreStatsTest {
    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");

    @TempDir
    Path dir;

    private SqliteStore store;
    private int ids;

    @BeforeEach
    void open() {
        store = SqliteStore.open(dir.resolve("dashboard.db"), Clock.fixed(T0, ZoneOffset.UTC));
    }

    @AfterEach
    void close() {
        store.close();
    }

    // ---- requestStats -------------------------------------------------------------------------------------

    @Test
    void requestStatsCountTheEffectiveUsageExactlyAsSessionTotalsDo() throws Exception {
        store.saveSession(proxy("s1"));
        List<RequestRecord> records = List.of(
                // reported usage counts, cached included
                record("s1", T0, RequestStatus.SUCCESS, 200, new TokenUsage(100, 20, 0), new TokenUsage(120, 25, 40),
                        0.01, 300),
                // a 2xx stream that broke: our estimate counts
                record("s1", T0.plusSeconds(1), RequestStatus.ERROR, 200, new TokenUsage(50, 7, 0), null, 0.002, 900),
                // refused by the provider: nothing counts
                record("s1", T0.plusSeconds(2), RequestStatus.ERROR, 502, new TokenUsage(60, 0, 0), null, 0.0, 15),
                // cancelled by the client after some reported usage
                record("s1", T0.plusSeconds(3), RequestStatus.CANCELLED, 200, new TokenUsage(10, 1, 0),
                        new TokenUsage(11, 2, 0), 0.0001, 40));
        records.forEach(store::saveRequest);
        store.flush().get(10, TimeUnit.SECONDS);

        SessionTotals expected = SessionTotals.ZERO;
        for (RequestRecord r : records) {
            expected = expected.plus(r);
        }
        RequestStats stats = store.requestStats(RequestFilter.session("s1"));

        assertThat(stats.requests()).isEqualTo(expected.requests()).isEqualTo(4);
        assertThat(stats.failedRequests()).isEqualTo(expected.failedRequests()).isEqualTo(3);
        assertThat(stats.promptTokens()).isEqualTo(expected.promptTokens()).isEqualTo(120 + 50 + 11);
        assertThat(stats.completionTokens()).isEqualTo(expected.completionTokens()).isEqualTo(25 + 7 + 2);
        assertThat(stats.cachedTokens()).isEqualTo(expected.cachedTokens()).isEqualTo(40);
        assertThat(stats.totalTokens()).isEqualTo(expected.totalTokens());
        assertThat(stats.costUsd()).isCloseTo(expected.costUsd(), within(1e-12));
    }

    @Test
    void requestStatsFilterBySessionAndArrivalTime() throws Exception {
        store.saveSession(proxy("a"));
        store.saveSession(proxy("b"));
        store.saveRequest(record("a", T0, RequestStatus.SUCCESS, 200, new TokenUsage(1, 1, 0), null, 0.0, 1));
        store.saveRequest(record("a", T0.plusSeconds(60), RequestStatus.SUCCESS, 200, new TokenUsage(10, 10, 0),
                null, 0.0, 1));
        store.saveRequest(record("b", T0.plusSeconds(61), RequestStatus.SUCCESS, 200, new TokenUsage(100, 100, 0),
                null, 0.0, 1));
        store.flush().get(10, TimeUnit.SECONDS);

        assertThat(store.requestStats(RequestFilter.all()).totalTokens()).isEqualTo(222);
        assertThat(store.requestStats(RequestFilter.session("a")).totalTokens()).isEqualTo(22);
        assertThat(store.requestStats(RequestFilter.all().since(T0.plusSeconds(60))).totalTokens()).isEqualTo(220);
        assertThat(store.requestStats(RequestFilter.session("a").since(T0.plusSeconds(60))).requests()).isEqualTo(1);
        assertThat(store.requestStats(RequestFilter.session("nobody"))).isEqualTo(RequestStats.EMPTY);
    }

    @Test
    void estimateAccuracyIsTheMeanAbsolutePercentErrorOverRequestsWithReportedUsage() throws Exception {
        store.saveSession(proxy("s1"));
        // prompt errors 10 % and 30 %; completion errors 50 % and (reported 0: not a sample)
        store.saveRequest(record("s1", T0, RequestStatus.SUCCESS, 200, new TokenUsage(110, 15, 0),
                new TokenUsage(100, 10, 0), 0.0, 1));
        store.saveRequest(record("s1", T0, RequestStatus.SUCCESS, 200, new TokenUsage(70, 3, 0),
                new TokenUsage(100, 0, 0), 0.0, 1));
        // no reported usage: not part of the accuracy
        store.saveRequest(record("s1", T0, RequestStatus.SUCCESS, 200, new TokenUsage(999, 999, 0), null, 0.0, 1));
        store.flush().get(10, TimeUnit.SECONDS);

        EstimateAccuracy accuracy = store.requestStats(RequestFilter.all()).accuracy();

        assertThat(accuracy.requestsWithReportedUsage()).isEqualTo(2);
        assertThat(accuracy.promptSamples()).isEqualTo(2);
        assertThat(accuracy.promptMeanAbsErrorPercent()).isCloseTo(20.0, within(1e-9));
        assertThat(accuracy.completionSamples()).isEqualTo(1);
        assertThat(accuracy.completionMeanAbsErrorPercent()).isCloseTo(50.0, within(1e-9));
    }

    // ---- latencyPercentiles -------------------------------------------------------------------------------

    @Test
    void latencyPercentilesAreExactNearestRankOverSuccessfulRequests() throws Exception {
        store.saveSession(proxy("s1"));
        store.saveSession(proxy("s2"));
        List<Integer> latencies = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            latencies.add(i);
        }
        Collections.shuffle(latencies, new Random(42));
        for (int latency : latencies) {
            store.saveRequest(record("s1", T0, RequestStatus.SUCCESS, 200, TokenUsage.ZERO, null, 0.0, latency));
        }
        // failures are not latencies of answers: left out
        store.saveRequest(record("s1", T0, RequestStatus.ERROR, 504, TokenUsage.ZERO, null, 0.0, 1_000_000));
        store.saveRequest(record("s2", T0, RequestStatus.SUCCESS, 200, TokenUsage.ZERO, null, 0.0, 7));
        store.flush().get(10, TimeUnit.SECONDS);

        assertThat(store.latencyPercentiles(RequestFilter.session("s1")))
                .isEqualTo(new LatencyPercentiles(100, 50, 90, 99));
        assertThat(store.latencyPercentiles(RequestFilter.session("s2")))
                .isEqualTo(new LatencyPercentiles(1, 7, 7, 7));
        assertThat(store.latencyPercentiles(RequestFilter.all()).count()).isEqualTo(101);
        assertThat(store.latencyPercentiles(RequestFilter.session("none"))).isEqualTo(LatencyPercentiles.EMPTY);
    }

    @Test
    void nearestRankIsTheSmallestValueCoveringTheShare() {
        assertThat(LatencyPercentiles.rank(0.5, 1)).isZero();
        assertThat(LatencyPercentiles.rank(0.5, 2)).isZero();
        assertThat(LatencyPercentiles.rank(0.9, 3)).isEqualTo(2);
        assertThat(LatencyPercentiles.rank(0.99, 100)).isEqualTo(98);
        assertThat(LatencyPercentiles.rank(1.0, 100)).isEqualTo(99);
        assertThatThrownBy(() -> LatencyPercentiles.rank(0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LatencyPercentiles.rank(0.5, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- sessionStats -------------------------------------------------------------------------------------

    @Test
    void sessionStatsCountByStatusAndAverageIterationsAndDurations() throws Exception {
        Instant now = T0.plusSeconds(1000);
        store.saveSession(convergence("c1", SessionStatus.CONVERGED, T0, T0.plusSeconds(100), 4));
        store.saveSession(convergence("c2", SessionStatus.FAILED, T0, T0.plusMillis(200_500), 2));
        store.saveSession(convergence("c3", SessionStatus.RUNNING, T0.plusSeconds(700), null, 3)); // 300 s so far
        store.saveSession(proxy("p1"));
        store.flush().get(10, TimeUnit.SECONDS);

        SessionStats stats = store.sessionStats(SessionKind.CONVERGENCE, now);

        assertThat(stats.total()).isEqualTo(3);
        assertThat(stats.running()).isEqualTo(1);
        assertThat(stats.converged()).isEqualTo(1);
        assertThat(stats.failed()).isEqualTo(1);
        assertThat(stats.completed()).isZero();
        assertThat(stats.averageIterations()).isCloseTo(3.0, within(1e-9));
        assertThat(stats.averageDurationSeconds()).isCloseTo((100 + 200.5 + 300) / 3.0, within(0.01));
        assertThat(store.sessionStats(SessionKind.PROXY, now).total()).isEqualTo(1);
    }

    @Test
    void sessionStatsOfNoSessionsAreZero() {
        assertThat(store.sessionStats(SessionKind.CONVERGENCE, T0)).isEqualTo(SessionStats.EMPTY);
    }

    // ---- countFindings ------------------------------------------------------------------------------------

    @Test
    void findingsAreSummedOverTheIterationsOfConvergenceSessions() throws Exception {
        store.saveSession(convergence("c1", SessionStatus.RUNNING, T0, null, 2));
        store.saveSession(convergence("c2", SessionStatus.CONVERGED, T0, T0.plusSeconds(60), 1));
        store.saveSession(proxy("p1"));
        store.saveIteration(iteration("c1", 1, new Findings(1, 2, 0, 4, 0)));
        store.saveIteration(iteration("c1", 2, new Findings(0, 1, 3, 0, 5)));
        store.saveIteration(iteration("c2", 1, new Findings(10, 0, 0, 0, 1)));
        // an iteration saved again replaces its findings instead of adding to them
        store.saveIteration(iteration("c2", 1, new Findings(2, 0, 0, 0, 1)));
        // not counted: iterations stored under a proxy session
        store.saveIteration(iteration("p1", 1, new Findings(100, 100, 100, 100, 100)));
        // events are the log, not the aggregate: their data adds nothing
        event("c1", "METRICS", "{\"findings\":{\"critical\":1000}}");
        store.flush().get(10, TimeUnit.SECONDS);

        assertThat(store.countFindings()).isEqualTo(new Findings(3, 3, 3, 4, 6));
    }

    @Test
    void noFindingsAreZero() {
        assertThat(store.countFindings()).isEqualTo(Findings.ZERO);
    }

    // ---- indexes ------------------------------------------------------------------------------------------

    @Test
    void metricsQueriesUseTheirIndexes() {
        assertThat(plan("SELECT latency_ms FROM requests WHERE status = 'success' AND session_id = 'x'"
                + " ORDER BY latency_ms LIMIT 1 OFFSET 5"))
                .contains("idx_requests_session_status_latency").doesNotContain("TEMP B-TREE");
        assertThat(plan("SELECT latency_ms FROM requests WHERE status = 'success' ORDER BY latency_ms LIMIT 1"))
                .contains("idx_requests_status_latency").doesNotContain("TEMP B-TREE");
        assertThat(plan("SELECT COUNT(*) FROM requests WHERE timestamp >= '2024'")).contains("idx_requests_time");
    }

    @Test
    void aVersionOneDatabaseGetsTheMetricsIndexesWhenOpened() {
        Path old = dir.resolve("v1.db");
        Jdbi.create("jdbc:sqlite:" + old).useHandle(h -> new Migrations(List.of(Migrations.ALL.get(0)),
                Clock.fixed(T0, ZoneOffset.UTC)).migrate(h, old.toString()));

        SqliteStore.open(old, Clock.fixed(T0, ZoneOffset.UTC)).close();

        List<String> indexes = Jdbi.create("jdbc:sqlite:" + old).withHandle(h -> h.createQuery(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'requests'")
                .mapTo(String.class).list());
        assertThat(indexes).contains("idx_requests_time", "idx_requests_status_latency",
                "idx_requests_session_status_latency");
        assertThat(Jdbi.create("jdbc:sqlite:" + old).withHandle(Migrations::currentVersion))
                .isEqualTo(Migrations.ALL.size());
    }

    private String plan(String sql) {
        List<String> details = store.readers().withHandle(h -> h.createQuery("EXPLAIN QUERY PLAN " + sql)
                .map((rs, ctx) -> rs.getString("detail")).list());
        return String.join("\n", details);
    }

    private void event(String sessionId, String type, String data) {
        store.appendEvent(new Event("e" + (++ids), sessionId, T0.plusMillis(ids), 1, "DIAGNOSING", type, data));
    }

    private RequestRecord record(String sessionId, Instant at, RequestStatus status, int httpStatus,
            TokenUsage estimated, TokenUsage reported, double cost, long latencyMs) {
        return new RequestRecord("r" + (++ids), sessionId, at, "moonshot", "kimi-k2", "kimi-k2-0905", false, status,
                httpStatus, status == RequestStatus.SUCCESS ? null : "some_error", null, estimated, reported, cost,
                latencyMs, -1, "proxy");
    }

    private static Session proxy(String id) {
        return Session.newProxy(id, "name " + id, T0, "moonshot", "kimi-k2", 131_072);
    }

    private static Session convergence(String id, SessionStatus status, Instant start, Instant end, int iteration) {
        return new Session(id, SessionKind.CONVERGENCE, null, "target " + id, status, start, end, "IDLE", iteration,
                "{}", null, null, 0, SessionTotals.ZERO, false, ConvergenceTotals.ZERO);
    }

    private static IterationStats iteration(String sessionId, int iteration, Findings findings) {
        return new IterationStats(sessionId, iteration, findings, 0, 0, null, null, null, null);
    }
}
