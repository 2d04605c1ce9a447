package io.kimi.api;

import static io.kimi.api.testing.KimiServerExtension.chatBody;
import static io.kimi.api.testing.KimiServerExtension.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.kimi.core.ConvergenceTotals;
import io.kimi.core.Event;
import io.kimi.core.Findings;
import io.kimi.core.IterationStats;
import io.kimi.core.Session;
import io.kimi.core.SessionKind;
import io.kimi.core.SessionStatus;
import io.kimi.core.SessionTotals;
import io.kimi.core.StepStats;
import io.kimi.core.store.sqlite.SqliteStore;
import io.kimi.testing.PrometheusText;
import io.kimi.testing.Reply;
import io.kimi.testing.Usage;
import io.kimi.testing.UsageStyle;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** /metrics, /api/metrics, /api/sessions/{id}/metrics and /events through a real server and SQLite file. */
class MetricsEndToEndTest extends EndToEndTest {
    @Test
    void prometheusScrapeCountsProxiedRequestsAndTheirReportedTokens() {
        fake.enqueue(Reply.chatCompletion("ok", 100, 10), Reply.chatCompletion("ok", 200, 20),
                Reply.streamingCompletion(List.of("a", "b"), new Usage(300, 30, 120), UsageStyle.OPENAI),
                Reply.status(401, "Incorrect API key provided"));
        other.enqueue(Reply.chatCompletion("ok", 7, 1));
        server.post("/chat/completions", chatBody("kimi-k2", false, ""));
        server.post("/chat/completions", chatBody("kimi-k2", false, ""));
        server.post("/chat/completions", chatBody("kimi-k2", true, ""));
        assertThat(server.post("/chat/completions", chatBody("kimi-k2", false, "")).statusCode()).isEqualTo(401);
        server.post("/chat/completions", chatBody("other-model", false, ""));
        String errorType = errorTypeOfLastFakeRequest();

        HttpResponse<String> response = server.get("/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type"))
                .contains("text/plain; version=0.0.4; charset=utf-8");
        PrometheusText scrape = PrometheusText.parse(response.body());
        Map<String, String> kimi = Map.of("provider", "fake", "model", "kimi-k2");
        assertThat(scrape.value("kimi_proxy_requests_total",
                with(kimi, Map.of("status", "success", "stream", "false")))).isEqualTo(2);
        assertThat(scrape.value("kimi_proxy_requests_total",
                with(kimi, Map.of("status", "success", "stream", "true")))).isEqualTo(1);
        assertThat(scrape.value("kimi_proxy_requests_total",
                with(kimi, Map.of("status", "error", "stream", "false")))).isEqualTo(1);
        assertThat(scrape.value("kimi_proxy_requests_total", Map.of("provider", "other", "model", "other-model",
                "status", "success", "stream", "false"))).isEqualTo(1);
        assertThat(scrape.value("kimi_proxy_tokens_total",
                with(kimi, Map.of("kind", "prompt", "source", "reported")))).isEqualTo(600);
        assertThat(scrape.value("kimi_proxy_tokens_total",
                with(kimi, Map.of("kind", "completion", "source", "reported")))).isEqualTo(60);
        assertThat(scrape.value("kimi_proxy_tokens_total",
                with(kimi, Map.of("kind", "cached", "source", "reported")))).isEqualTo(120);
        assertThat(scrape.value("kimi_proxy_errors_total", Map.of("type", errorType))).isEqualTo(1);
        assertThat(scrape.value("kimi_proxy_latency_seconds_count", Map.of("provider", "fake"))).isEqualTo(4);
        assertThat(scrape.value("kimi_proxy_overhead_seconds_count", Map.of("provider", "fake"))).isEqualTo(4);
        assertThat(scrape.value("kimi_events_stored_total", Map.of())).isEqualTo(5);
        assertThat(scrape.value("kimi_websocket_clients", Map.of())).isZero();
        double cost = (480 * 0.60 + 120 * 0.15 + 60 * 2.50) / 1_000_000;
        assertThat(scrape.value("kimi_proxy_cost_usd_total", kimi)).isCloseTo(cost, within(1e-12));
        assertThat(scrape.families()).containsKeys("jvm_memory_used_bytes", "process_uptime_seconds");
    }

    @Test
    void systemMetricsHoldSeedFieldsAndProxyTotalsFromTheStore() {
        fake.enqueue(Reply.chatCompletion("ok", 100, 10), Reply.chatCompletion("ok", 200, 20),
                Reply.status(401, "Incorrect API key provided"));
        server.post("/chat/completions", chatBody("kimi-k2", false, ""));
        server.post("/chat/completions", chatBody("kimi-k2", false, ""));
        server.post("/chat/completions", chatBody("kimi-k2", false, ""));

        JsonNode m = json(server.get("/api/metrics"));

        for (String field : List.of("total_sessions", "active_sessions", "converged_sessions", "failed_sessions",
                "average_iterations", "average_duration")) {
            assertThat(m.path(field).isNumber()).as(field).isTrue();
        }
        assertThat(m.path("total_sessions").asInt()).isZero();
        assertThat(m.path("findings_by_severity").fieldNames()).toIterable()
                .containsExactly("critical", "high", "medium", "low", "info");
        JsonNode proxy = m.path("proxy");
        assertThat(proxy.path("sessions").asInt()).isEqualTo(1);
        assertThat(proxy.path("requests").asInt()).isEqualTo(3);
        assertThat(proxy.path("failed_requests").asInt()).isEqualTo(1);
        assertThat(proxy.path("prompt_tokens").asInt()).isEqualTo(300);
        assertThat(proxy.path("completion_tokens").asInt()).isEqualTo(30);
        assertThat(proxy.path("total_tokens").asInt()).isEqualTo(330);
        assertThat(proxy.path("cost_usd").asDouble())
                .isCloseTo((300 * 0.60 + 30 * 2.50) / 1_000_000, within(1e-12));
        assertThat(proxy.path("tokens_per_minute").path("last_60s").asInt()).isEqualTo(330);
        assertThat(proxy.path("tokens_per_minute").path("average_since_start").asDouble()).isEqualTo(330.0);
        JsonNode latency = proxy.path("latency_ms");
        assertThat(latency.path("count").asInt()).isEqualTo(2);
        assertThat(latency.path("p50").asLong()).isBetween(0L, latency.path("p90").asLong());
        assertThat(latency.path("p90").asLong()).isLessThanOrEqualTo(latency.path("p99").asLong());
        assertThat(proxy.path("estimate_accuracy").path("requests_with_reported_usage").asInt()).isEqualTo(2);
    }

    @Test
    void convergenceSessionsAppendedToTheStoreFeedSystemAndSessionMetrics() throws Exception {
        Instant start = Instant.now().minusSeconds(600);
        try (SqliteStore direct = SqliteStore.open(server.database(), Clock.systemUTC())) {
            direct.saveSession(new Session("conv-1", SessionKind.CONVERGENCE, null, "https://example.com",
                    SessionStatus.CONVERGED, start, start.plusSeconds(300), "CONVERGED", 2, "{}", null, null, 0,
                    SessionTotals.ZERO, false, new ConvergenceTotals(10, 2, 0, 0, 0)));
            direct.saveSession(new Session("conv-2", SessionKind.CONVERGENCE, null, "repo",
                    SessionStatus.RUNNING, start, null, "DIAGNOSING", 1, "{}", null, null, 0,
                    SessionTotals.ZERO, false, ConvergenceTotals.ZERO));
            // the aggregates the ingest maintains from these events
            direct.saveIteration(new IterationStats("conv-1", 1, new Findings(1, 2, 0, 0, 3), 2, 0, null, null,
                    start.plusSeconds(1), start.plusSeconds(130)));
            direct.saveIteration(new IterationStats("conv-1", 2, new Findings(0, 0, 0, 4, 0), 0, 0, null, null,
                    start.plusSeconds(200), null));
            direct.saveStep(new StepStats("conv-1", 1, "diagnose", 120.0, "complete"));
            direct.saveStep(new StepStats("conv-1", 1, "fix", 9.0, "complete"));
            event(direct, "conv-1", 1, start.plusSeconds(1), "STEP_STARTED", "{\"step\":\"diagnose\"}");
            event(direct, "conv-1", 1, start.plusSeconds(121), "STEP_COMPLETE",
                    "{\"step\":\"diagnose\",\"findings\":{\"critical\":1,\"high\":2,\"info\":3}}");
            event(direct, "conv-1", 1, start.plusSeconds(130), "STEP_COMPLETE",
                    "{\"step\":\"fix\",\"fixes\":2,\"duration_seconds\":9}");
            event(direct, "conv-1", 2, start.plusSeconds(200), "METRICS", "{\"findings\":{\"low\":4}}");
            direct.flush().get(10, TimeUnit.SECONDS);
        }

        JsonNode system = json(server.get("/api/metrics"));
        JsonNode conv = json(server.get("/api/sessions/conv-1/metrics"));

        assertThat(system.path("total_sessions").asInt()).isEqualTo(2);
        assertThat(system.path("active_sessions").asInt()).isEqualTo(1);
        assertThat(system.path("converged_sessions").asInt()).isEqualTo(1);
        assertThat(system.path("failed_sessions").asInt()).isZero();
        assertThat(system.path("average_iterations").asDouble()).isEqualTo(1.5);
        assertThat(system.path("average_duration").asDouble()).isCloseTo((300 + 600) / 2.0, within(5.0));
        assertThat(system.path("findings_by_severity").toString())
                .isEqualTo("{\"critical\":1,\"high\":2,\"medium\":0,\"low\":4,\"info\":3}");
        assertThat(conv.path("session_id").asText()).isEqualTo("conv-1");
        assertThat(conv.path("kind").asText()).isEqualTo("convergence");
        assertThat(conv.path("iterations").asInt()).isEqualTo(2);
        assertThat(conv.path("duration_seconds").asDouble()).isEqualTo(300.0);
        assertThat(conv.path("findings_per_iteration").toString()).isEqualTo("[6,4]");
        assertThat(conv.path("fixes_per_iteration").toString()).isEqualTo("[2,0]");
        assertThat(conv.path("step_durations").toString()).isEqualTo("{\"diagnose\":[120.0,0.0],\"fix\":[9.0,0.0]}");
        JsonNode events = json(server.get("/api/sessions/conv-1/events"));
        assertThat(events.path("total").asInt()).isEqualTo(4);
        assertThat(events.path("events").get(1).path("data").path("findings").path("high").asInt()).isEqualTo(2);
        assertThat(events.path("events").get(1).path("state").asText()).isEqualTo("DIAGNOSING");
    }

    @Test
    void sessionEventsListTheRequestEventsOldestFirstAndPage() {
        fake.enqueue(Reply.chatCompletion("ok", 100, 10), Reply.chatCompletion("ok", 200, 20));
        server.post("/chat/completions", chatBody("kimi-k2", false, ""));
        server.post("/chat/completions", chatBody("kimi-k2", false, ""));
        JsonNode active = json(server.get("/api/sessions/active"));
        String id = active.path("session_id").asText();
        List<String> newestFirst = new ArrayList<>();
        active.path("recent_requests").forEach(r -> newestFirst.add(r.path("request_id").asText()));

        JsonNode all = json(server.get("/api/sessions/" + id + "/events"));
        JsonNode second = json(server.get("/api/sessions/" + id + "/events?limit=1&offset=1"));

        assertThat(all.path("total").asInt()).isEqualTo(2);
        assertThat(all.path("limit").asInt()).isEqualTo(100);
        assertThat(all.path("offset").asInt()).isZero();
        assertThat(all.path("events")).hasSize(2);
        JsonNode first = all.path("events").get(0);
        assertThat(first.path("event_type").asText()).isEqualTo("REQUEST_COMPLETED");
        assertThat(first.path("session_id").asText()).isEqualTo(id);
        assertThat(first.has("event_id")).isTrue();
        assertThat(first.has("timestamp")).isTrue();
        assertThat(first.has("iteration")).isTrue();
        assertThat(first.has("state")).isTrue();
        assertThat(first.path("data").path("request_id").asText()).isEqualTo(newestFirst.get(1));
        assertThat(first.path("data").path("prompt_tokens").asInt()).isEqualTo(100);
        assertThat(second.path("events")).hasSize(1);
        assertThat(second.path("total").asInt()).isEqualTo(2);
        assertThat(second.path("limit").asInt()).isEqualTo(1);
        assertThat(second.path("offset").asInt()).isEqualTo(1);
        assertThat(second.path("events").get(0).path("data").path("request_id").asText())
                .isEqualTo(newestFirst.get(0));
        assertThat(json(server.get("/api/sessions/" + id + "/events?offset=5")).path("events")).isEmpty();
    }

    @Test
    void unknownSessionsAndBadPagingGetJsonErrors() {
        for (String path : List.of("/api/sessions/nope/events", "/api/sessions/nope/metrics")) {
            HttpResponse<String> missing = server.get(path);
            assertThat(missing.statusCode()).as(path).isEqualTo(404);
            assertThat(json(missing).path("error").path("code").asText()).isEqualTo("session_not_found");
        }
        server.post("/api/sessions", "{\"name\":\"x\"}");
        String id = json(server.get("/api/sessions/active")).path("session_id").asText();
        for (String query : List.of("limit=0", "limit=1001", "limit=ten", "offset=-1")) {
            HttpResponse<String> bad = server.get("/api/sessions/" + id + "/events?" + query);
            assertThat(bad.statusCode()).as(query).isEqualTo(400);
            assertThat(json(bad).path("error").path("message").asText()).as(query).isNotBlank();
        }
    }

    @Test
    void proxySessionMetricsMatchTheSessionAndMeasureEstimateAccuracy() {
        fake.enqueue(Reply.chatCompletion("Bonjour !", 100, 10), Reply.chatCompletion("Salut", 200, 20),
                Reply.streamingCompletion(List.of("one ", "two"), null, UsageStyle.NONE));
        server.post("/chat/completions", chatBody("kimi-k2", false, ""));
        server.post("/chat/completions", chatBody("kimi-k2", false, ""));
        server.post("/chat/completions", chatBody("kimi-k2", true, ""));
        JsonNode session = json(server.get("/api/sessions/active"));
        String id = session.path("session_id").asText();

        JsonNode m = json(server.get("/api/sessions/" + id + "/metrics"));

        JsonNode totals = session.path("totals");
        assertThat(m.path("session_id").asText()).isEqualTo(id);
        assertThat(m.path("kind").asText()).isEqualTo("proxy");
        for (String field : List.of("requests", "failed_requests", "prompt_tokens", "completion_tokens",
                "total_tokens", "cached_tokens")) {
            assertThat(m.path(field).asLong()).as(field).isEqualTo(totals.path(field).asLong());
        }
        assertThat(m.path("requests").asInt()).isEqualTo(3);
        assertThat(m.path("cost_usd").asDouble()).isCloseTo(totals.path("cost_usd").asDouble(), within(1e-12));
        assertThat(m.path("context")).isEqualTo(session.path("context"));
        assertThat(m.path("duration_seconds").asDouble()).isGreaterThanOrEqualTo(0.0);
        // under a minute old: tokens per minute is the total over one minute
        assertThat(m.path("tokens_per_minute").asDouble()).isEqualTo(totals.path("total_tokens").asDouble());
        assertThat(m.path("latency_ms").path("count").asInt()).isEqualTo(3);

        double promptError = 0;
        double completionError = 0;
        int reported = 0;
        int sampled = 0;
        for (JsonNode r : session.path("recent_requests")) {
            if (r.path("usage_source").asText().equals("reported")) {
                reported++;
                promptError += percentError(r.path("estimated_prompt_tokens").asInt(),
                        r.path("reported_prompt_tokens").asInt());
                if (!r.path("estimated_completion_tokens").isNull()) {
                    sampled++;
                    completionError += percentError(r.path("estimated_completion_tokens").asInt(),
                            r.path("reported_completion_tokens").asInt());
                }
            } else {
                assertThat(r.path("estimated_completion_tokens").isInt()).as("counted without reported usage")
                        .isTrue();
            }
        }
        JsonNode accuracy = m.path("estimate_accuracy");
        assertThat(reported).isEqualTo(2);
        // estimate_sample_every = 16 by default: the first reply with reported usage is counted, the second not.
        assertThat(sampled).isEqualTo(1);
        assertThat(accuracy.path("requests_with_reported_usage").asInt()).isEqualTo(2);
        assertThat(accuracy.path("completion_sampled_requests").asInt()).isEqualTo(sampled);
        assertThat(accuracy.path("prompt_mean_abs_error_percent").asDouble())
                .isCloseTo(promptError / 2, within(0.01));
        assertThat(accuracy.path("completion_mean_abs_error_percent").asDouble())
                .isCloseTo(completionError / sampled, within(0.01));
    }

    private String errorTypeOfLastFakeRequest() {
        JsonNode recent = json(server.get("/api/sessions?kind=proxy&limit=10")).path("sessions");
        for (JsonNode s : recent) {
            for (JsonNode r : json(server.get("/api/sessions/" + s.path("session_id").asText()))
                    .path("recent_requests")) {
                if (r.path("status").asText().equals("error")) {
                    return r.path("error_type").asText();
                }
            }
        }
        throw new AssertionError("no failed request recorded");
    }

    private static double percentError(int estimated, int reported) {
        return Math.abs(estimated - reported) * 100.0 / reported;
    }

    private static void event(SqliteStore store, String sessionId, int iteration, Instant at, String type,
            String data) {
        store.appendEvent(new Event(sessionId + "-" + type + "-" + at.toEpochMilli(), sessionId, at, iteration,
                "DIAGNOSING", type, data));
    }

    private static Map<String, String> with(Map<String, String> a, Map<String, String> b) {
        Map<String, String> m = new HashMap<>(a);
        m.putAll(b);
        return m;
    }
}
