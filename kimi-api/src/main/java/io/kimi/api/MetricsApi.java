package io.kimi.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
        ObjectNode n = views.mapper().createObjectNode();
        n.put("total_sessions", sessions.total())
                .put("active_sessions", sessions.running())
                .put("converged_sessions", sessions.converged())
                .put("failed_sessions", sessions.failed())
                .put("average_iterations", round(sessions.averageIterations(), 2))
                .put("average_duration", round(sessions.averageDurationSeconds(), 1));
        n.putObject("findings_by_severity")
                .put("critical", findings.critical())
                .put("high", findings.high())
                .put("medium", findings.medium())
                .put("low", findings.low())
                .put("info", findings.info());

        n.set("bridge", BridgeView.of(bridge.get(), views.mapper()));

        ObjectNode proxy = n.putObject("proxy");
        proxy.put("sessions", reads.countSessions(SessionKind.PROXY));
        RequestStats all = figures.requestStats(RequestFilter.all());
        putTotals(proxy, all);
        long lastMinute = figures.requestStats(RequestFilter.all().since(now.minusSeconds(60))).totalTokens();
        long sinceStart = figures.requestStats(RequestFilter.all().since(started)).totalTokens();
        double uptimeMinutes = Math.max(1.0, Duration.between(started, now).toMillis() / 60_000.0);
        proxy.putObject("tokens_per_minute")
                .put("last_60s", lastMinute)
                .put("average_since_start", round(sinceStart / uptimeMinutes, 1))
                .put("uptime_seconds", Duration.between(started, now).toSeconds());
        putLatency(proxy, figures.latencyPercentiles(RequestFilter.all()));
        putAccuracy(proxy, all.accuracy());
        return ApiResponse.json(200, views.bytes(n));
    }

    private ApiResponse sessionMetrics(ApiRequest r) throws Exception {
        Session s = find(r.pathParam("id"));
        Instant now = clock.instant();
        ObjectNode n = views.mapper().createObjectNode();
        n.put("session_id", s.sessionId()).put("kind", s.kind().wireName());
        if (s.kind() == SessionKind.CONVERGENCE) {
            ConvergenceSummary summary = ConvergenceMetrics.summarize(s, reads.listIterations(s.sessionId()),
                    reads.listSteps(s.sessionId()));
            n.put("iterations", summary.iterations())
                    .put("duration_seconds", round(seconds(s.startTime(), s.endTime() != null ? s.endTime() : now), 1));
            ArrayNode findings = n.putArray("findings_per_iteration");
            summary.findingsPerIteration().forEach(findings::add);
            ArrayNode fixes = n.putArray("fixes_per_iteration");
            summary.fixesPerIteration().forEach(fixes::add);
            ObjectNode steps = n.putObject("step_durations");
            summary.stepDurations().forEach((step, durations) -> {
                ArrayNode list = steps.putArray(step);
                durations.forEach(list::add);
            });
            return ApiResponse.json(200, views.bytes(n));
        }
        RequestFilter filter = RequestFilter.session(s.sessionId());
        RequestStats stats = figures.requestStats(filter);
        putTotals(n, stats);
        double duration = proxyDuration(s, now);
        n.put("duration_seconds", round(duration, 1))
                .put("tokens_per_minute", round(stats.totalTokens() * 60.0 / Math.max(60.0, duration), 1));
        putLatency(n, figures.latencyPercentiles(filter));
        putAccuracy(n, stats.accuracy());
        n.set("context", views.session(s).get("context"));
        return ApiResponse.json(200, views.bytes(n));
    }

    /** {@code {events: [...flat events, oldest first], total, limit, offset}}. */
    private ApiResponse events(ApiRequest r) throws Exception {
        int limit = r.intQuery("limit", DEFAULT_EVENTS, 1, SessionQuery.MAX_LIMIT);
        int offset = r.intQuery("offset", 0, 0, Integer.MAX_VALUE);
        Session s = find(r.pathParam("id"));
        Page<Event> page = reads.listEvents(s.sessionId(), limit, offset);
        ObjectNode n = views.mapper().createObjectNode();
        ArrayNode list = n.putArray("events");
        page.items().forEach(e -> list.add(views.event(e)));
        n.put("total", page.total()).put("limit", limit).put("offset", offset);
        return ApiResponse.json(200, views.bytes(n));
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

    private static void putTotals(ObjectNode n, RequestStats stats) {
        n.put("requests", stats.requests())
                .put("failed_requests", stats.failedRequests())
                .put("prompt_tokens", stats.promptTokens())
                .put("completion_tokens", stats.completionTokens())
                .put("total_tokens", stats.totalTokens())
                .put("cached_tokens", stats.cachedTokens())
                .put("cost_usd", stats.costUsd());
    }

    /** Exact percentiles of the total latency of successful requests. */
    private static void putLatency(ObjectNode n, LatencyPercentiles latency) {
        n.putObject("latency_ms")
                .put("p50", latency.p50Ms())
                .put("p90", latency.p90Ms())
                .put("p99", latency.p99Ms())
                .put("count", latency.count());
    }

    private static void putAccuracy(ObjectNode n, EstimateAccuracy a) {
        ObjectNode accuracy = n.putObject("estimate_accuracy");
        accuracy.put("requests_with_reported_usage", a.requestsWithReportedUsage());
        if (a.promptSamples() > 0) {
            accuracy.put("prompt_mean_abs_error_percent", round(a.promptMeanAbsErrorPercent(), 2));
        } else {
            accuracy.putNull("prompt_mean_abs_error_percent");
        }
        if (a.completionSamples() > 0) {
            accuracy.put("completion_mean_abs_error_percent", round(a.completionMeanAbsErrorPercent(), 2));
        } else {
            accuracy.putNull("completion_mean_abs_error_percent");
        }
        // The completion is counted locally only on a sample of the requests with reported usage.
        accuracy.put("completion_sampled_requests", a.completionSampledRequests());
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
