package io.kimi.api;

import static java.util.Objects.requireNonNull;

import io.kimi.api.ConsistentRead.Reads;
import io.kimi.core.Event;
import io.kimi.core.Findings;
import io.kimi.core.RequestRecord;
import io.kimi.core.Session;
import io.kimi.core.SessionKind;
import io.kimi.core.store.EstimateAccuracy;
import io.kimi.core.store.LatencyPercentiles;
import io.kimi.core.store.Page;
import io.kimi.core.store.RequestFilter;
import io.kimi.core.store.RequestStats;
import io.kimi.core.store.SessionQuery;
import io.kimi.core.store.SessionReads;
import io.kimi.core.store.SessionStats;
import io.kimi.core.store.StoreStats;
import io.kimi.protocol.AccuracyFigures;
import io.kimi.protocol.ConvergenceSessionMetrics;
import io.kimi.protocol.EventList;
import io.kimi.protocol.EventView;
import io.kimi.protocol.FindingCounts;
import io.kimi.protocol.LatencyFigures;
import io.kimi.protocol.ProxyMetrics;
import io.kimi.protocol.ProxySessionMetrics;
import io.kimi.protocol.ProxySessionView;
import io.kimi.protocol.RequestTotals;
import io.kimi.protocol.SystemMetricsView;
import io.kimi.protocol.TokenRate;
import io.kimi.services.internal.JsonViews;
import io.kimi.services.internal.SessionNotFoundException;
import io.kimi.services.internal.convergence.BridgeStatus;
import io.kimi.services.internal.metrics.ConvergenceMetrics;
import io.kimi.services.internal.metrics.ConvergenceSummary;
import io.kimi.services.internal.metrics.Elapsed;
import io.kimi.services.internal.metrics.ServerMetrics;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The metrics routes: {@code GET /metrics} (Prometheus text format, from {@link ServerMetrics}), {@code GET
 * /api/metrics} (seed 002's system metrics plus a {@code proxy} object), {@code GET /api/sessions/{id}/metrics}
 * and {@code GET /api/sessions/{id}/events}. Everything but {@code /metrics} is computed from the store, so it
 * survives restarts and agrees with the session totals.
 */
final class MetricsApi {
    private static final int DEFAULT_EVENTS = 100;

    private final SessionReads reads;
    private final StoreStats figures;
    private final JsonViews views;
    private final ServerMetrics metrics;
    private final Clock clock;
    private final Instant started;
    private final Supplier<BridgeStatus> bridge;

    MetricsApi(SessionReads reads, StoreStats figures, JsonViews views, ServerMetrics metrics, Clock clock,
            Supplier<BridgeStatus> bridge) {
        this.bridge = requireNonNull(bridge, "bridge");
        this.reads = requireNonNull(reads, "reads");
        this.figures = requireNonNull(figures, "figures");
        this.views = requireNonNull(views, "views");
        this.metrics = requireNonNull(metrics, "metrics");
        this.clock = requireNonNull(clock, "clock");
        this.started = clock.instant();
    }

    /** Adds the metrics routes to {@code routes} and returns it. */
    Routes addTo(Routes routes) {
        return routes
                .add(HttpMethod.GET, "/metrics", Reads.RECORDED_IF_QUICK, this::prometheus)
                .add(HttpMethod.GET, "/api/metrics", Reads.RECORDED, this::system)
                .add(HttpMethod.GET, "/api/sessions/{id}/metrics", Reads.RECORDED, this::sessionMetrics)
                .add(HttpMethod.GET, "/api/sessions/{id}/events", Reads.RECORDED, this::events);
    }

    /** Prometheus text format 0.0.4. Waits briefly for accounting (its route's read), never for a stuck database. */
    private ApiResponse prometheus(ApiRequest r) {
        return new ApiResponse(200, ServerMetrics.CONTENT_TYPE,
                metrics.scrape().getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /**
     * Seed 002's fields over convergence sessions, plus {@code proxy}: every stored proxied request's totals,
     * tokens per minute (last 60 s, and the average since this server started), latency percentiles and
     * estimate accuracy.
     */
    private ApiResponse system(ApiRequest r) throws Exception {
        Instant now = clock.instant();
        SessionStats sessions = figures.sessionStats(SessionKind.CONVERGENCE, now);
        Findings findings = figures.countFindings();
        RequestStats all = figures.requestStats(RequestFilter.all());
        long lastMinute = figures.requestStats(RequestFilter.all().since(now.minusSeconds(60))).totalTokens();
        long sinceStart = figures.requestStats(RequestFilter.all().since(started)).totalTokens();
        double uptimeMinutes = Math.max(1.0, Duration.between(started, now).toMillis() / 60_000.0);
        ProxyMetrics proxy = new ProxyMetrics(reads.countSessions(SessionKind.PROXY), totals(all),
                new TokenRate(lastMinute, round(sinceStart / uptimeMinutes, 1),
                        Duration.between(started, now).toSeconds()),
                latency(figures.latencyPercentiles(RequestFilter.all())), accuracy(all.accuracy()));
        return ApiResponse.json(200, views.bytes(new SystemMetricsView(sessions.total(), sessions.running(),
                sessions.converged(), sessions.failed(), round(sessions.averageIterations(), 2),
                round(sessions.averageDurationSeconds(), 1), new FindingCounts(findings.critical(), findings.high(),
                        findings.medium(), findings.low(), findings.info()),
                BridgeView.of(bridge.get()), proxy)));
    }

    private ApiResponse sessionMetrics(ApiRequest r) throws Exception {
        Session s = find(r.pathParam("id"));
        Instant now = clock.instant();
        if (s.kind() == SessionKind.CONVERGENCE) {
            ConvergenceSummary summary = ConvergenceMetrics.summarize(s, reads.listIterations(s.sessionId()),
                    reads.listSteps(s.sessionId()));
            return ApiResponse.json(200, views.bytes(new ConvergenceSessionMetrics(s.sessionId(), s.kind().wireName(),
                    summary.iterations(),
                    round(seconds(s.startTime(), s.endTime() != null ? s.endTime() : now), 1),
                    summary.findingsPerIteration(), summary.fixesPerIteration(), summary.stepDurations())));
        }
        RequestFilter filter = RequestFilter.session(s.sessionId());
        RequestStats stats = figures.requestStats(filter);
        double duration = proxyDuration(s, now);
        ProxySessionView.ContextGauge context = ((ProxySessionView) views.sessionView(s)).context();
        return ApiResponse.json(200, views.bytes(new ProxySessionMetrics(s.sessionId(), s.kind().wireName(),
                totals(stats), round(duration, 1),
                round(stats.totalTokens() * 60.0 / Math.max(60.0, duration), 1),
                latency(figures.latencyPercentiles(filter)), accuracy(stats.accuracy()), context)));
    }

    /** {@code {events: [...flat events, oldest first], total, limit, offset}}. */
    private ApiResponse events(ApiRequest r) throws Exception {
        int limit = r.intQuery("limit", DEFAULT_EVENTS, 1, SessionQuery.MAX_LIMIT);
        int offset = r.intQuery("offset", 0, 0, Integer.MAX_VALUE);
        Session s = find(r.pathParam("id"));
        Page<Event> page = reads.listEvents(s.sessionId(), limit, offset);
        List<EventView> events = page.items().stream().map(views::eventView).toList();
        return ApiResponse.json(200, views.bytes(new EventList(events, page.total(), limit, offset)));
    }

    /**
     * How long a proxy session has been counting: to its end when it ended; else to now while it is the active
     * one; else to the end of its last request (an inactive session stopped counting then).
     */
    private double proxyDuration(Session s, Instant now) {
        Instant end = s.endTime();
        if (end == null && s.active()) {
            end = now;
        }
        if (end == null) {
            List<RequestRecord> last = reads.listRequests(s.sessionId(), 1, 0).items();
            end = last.isEmpty() ? s.startTime()
                    : last.get(0).timestamp().plusMillis(Math.max(0, last.get(0).latencyMs()));
        }
        return Math.max(0.0, seconds(s.startTime(), end));
    }

    private static RequestTotals totals(RequestStats stats) {
        return new RequestTotals(stats.requests(), stats.failedRequests(), stats.promptTokens(),
                stats.completionTokens(), stats.totalTokens(), stats.cachedTokens(), stats.costUsd());
    }

    /** Exact percentiles of the total latency of successful requests. */
    private static LatencyFigures latency(LatencyPercentiles latency) {
        return new LatencyFigures(latency.p50Ms(), latency.p90Ms(), latency.p99Ms(), latency.count());
    }

    /** The completion is counted locally only on a sample of the requests with reported usage. */
    private static AccuracyFigures accuracy(EstimateAccuracy a) {
        return new AccuracyFigures(a.requestsWithReportedUsage(),
                a.promptSamples() > 0 ? round(a.promptMeanAbsErrorPercent(), 2) : null,
                a.completionSamples() > 0 ? round(a.completionMeanAbsErrorPercent(), 2) : null,
                a.completionSampledRequests());
    }

    private Session find(String id) {
        return reads.findSession(id).orElseThrow(() -> new SessionNotFoundException(id));
    }

    private static double seconds(Instant from, Instant to) {
        return Elapsed.seconds(from, to);
    }

    private static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }
}
