package io.kimi.api;

import static io.kimi.api.testing.KimiServerExtension.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kimi.api.testing.KimiServerExtension;
import io.kimi.testing.FakeConvergenceLoop;
import io.kimi.testing.FakeUpstream;
import io.kimi.testing.PrometheusText;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The convergence figures on {@code GET /metrics} (seed 002's Grafana exporter), through a real server, a real
 * SQLite file and events posted to {@code POST /api/events} or sent by a loop on loopback.
 */
class ConvergenceMetricsEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    FakeUpstream fake;
    @RegisterExtension
    final KimiServerExtension server = new KimiServerExtension().manualStart();

    @BeforeEach
    void start() {
        fake = server.fake();
        server.start();
    }


    /** A converged session (A), a running one with an unknown step (B), a failed one at iteration 3 (C). */
    private static List<String> threeSessions() {
        List<String> events = new ArrayList<>(LoopSessions.converged("conv-a"));
        events.add(FakeConvergenceLoop.event("conv-b", 0, "IDLE", "SESSION_STARTED", "{\"target\":\"repo\"}"));
        events.add(FakeConvergenceLoop.event("conv-b", 1, "DIAGNOSING", "ITERATION_STARTED", "{}"));
        events.add(FakeConvergenceLoop.event("conv-b", 1, "DIAGNOSING", "STEP_COMPLETE",
                "{\"step\":\"lint\",\"duration_seconds\":3,"
                        + "\"findings\":[{\"severity\":\"low\"},{\"severity\":\"made-up\"}]}"));
        events.add(FakeConvergenceLoop.event("conv-c", 3, "FIXING", "STEP_STARTED", "{\"step\":\"fix\"}"));
        events.add(FakeConvergenceLoop.event("conv-c", 3, "FAILED", "ERROR", "{\"fatal\":true,\"error\":\"boom\"}"));
        return events;
    }

    private PrometheusText scrape() {
        HttpResponse<String> r = server.get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        return PrometheusText.parse(r.body());
    }

    private void post(List<String> events) {
        HttpResponse<String> r = server.post("/api/events", "[" + String.join(",", events) + "]");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private static double sessions(PrometheusText s, String status) {
        return s.value("kimi_convergence_sessions", Map.of("status", status));
    }

    private static double findings(PrometheusText s, String severity) {
        return s.value("kimi_convergence_findings", Map.of("severity", severity));
    }

    private static double stepCount(PrometheusText s, String step) {
        return s.value("kimi_convergence_step_duration_seconds_count", Map.of("step", step));
    }

    private static double stepSum(PrometheusText s, String step) {
        return s.value("kimi_convergence_step_duration_seconds_sum", Map.of("step", step));
    }

    @Test
    void postedEventsShowAsSessionsIterationsFindingsFixesVulnerabilitiesAndStepDurations() {
        PrometheusText before = scrape();
        assertThat(sessions(before, "running")).isZero();
        assertThat(before.value("kimi_convergence_iterations", Map.of())).isZero();
        assertThat(stepCount(before, "diagnose")).isZero();

        List<String> events = threeSessions();
        post(events);
        post(events); // replayed: duplicates change nothing

        PrometheusText s = scrape();
        assertThat(sessions(s, "running")).isEqualTo(1);
        assertThat(sessions(s, "converged")).isEqualTo(1);
        assertThat(sessions(s, "failed")).isEqualTo(1);
        assertThat(sessions(s, "completed")).isZero();
        assertThat(s.value("kimi_convergence_iterations", Map.of())).isEqualTo(2 + 1 + 3);
        assertThat(findings(s, "critical")).isEqualTo(1);
        assertThat(findings(s, "high")).isEqualTo(2);
        assertThat(findings(s, "medium")).isZero();
        assertThat(findings(s, "low")).isEqualTo(1);
        assertThat(findings(s, "info")).as("an unknown severity counts as info").isEqualTo(1);
        assertThat(s.value("kimi_convergence_fixes", Map.of())).isEqualTo(3);
        assertThat(s.value("kimi_convergence_vulnerabilities", Map.of())).isEqualTo(1);
        assertThat(stepCount(s, "diagnose")).isEqualTo(2);
        assertThat(stepSum(s, "diagnose")).isEqualTo(220);
        assertThat(stepCount(s, "fix")).as("a started step has no duration yet").isEqualTo(1);
        assertThat(stepSum(s, "attack")).isEqualTo(300);
        assertThat(stepCount(s, "validate")).isEqualTo(2);
        assertThat(stepCount(s, "other")).as("an unknown step name is other").isEqualTo(1);
        assertThat(stepSum(s, "other")).isEqualTo(3);
        assertThat(s.value("kimi_convergence_step_duration_seconds_bucket", Map.of("step", "diagnose",
                "le", "120.0"))).isEqualTo(2);
        assertThat(s.value("kimi_convergence_step_duration_seconds_bucket", Map.of("step", "diagnose",
                "le", "60.0"))).isZero();
        assertThat(s.samples("kimi_convergence_step_duration_seconds_count", Map.of()))
                .extracting(sample -> sample.labels().get("step"))
                .containsExactlyInAnyOrder("diagnose", "fix", "attack", "validate", "other");
        assertThat(s.value("kimi_convergence_bridge_state", Map.of("state", "disabled"))).isEqualTo(1);
        assertThat(s.sum("kimi_convergence_bridge_state", Map.of())).isEqualTo(1);

        JsonNode api = json(server.get("/api/metrics"));
        assertThat(api.path("total_sessions").asDouble())
                .isEqualTo(s.sum("kimi_convergence_sessions", Map.of()));
        assertThat(api.path("active_sessions").asDouble()).isEqualTo(sessions(s, "running"));
        for (String severity : List.of("critical", "high", "medium", "low", "info")) {
            assertThat(api.path("findings_by_severity").path(severity).asDouble()).as(severity)
                    .isEqualTo(findings(s, severity));
        }
        assertThat(api.path("average_iterations").asDouble()).isEqualTo(2.0);
    }

    @Test
    void deletingASessionTakesItOutAndARestartLoadsTheFiguresFromTheStore() {
        post(threeSessions());

        assertThat(server.delete("/api/sessions/conv-a").statusCode()).isEqualTo(200);
        PrometheusText afterDelete = scrape();
        assertThat(sessions(afterDelete, "converged")).isZero();
        assertThat(sessions(afterDelete, "running")).isEqualTo(1);
        assertThat(afterDelete.value("kimi_convergence_iterations", Map.of())).isEqualTo(1 + 3);
        assertThat(findings(afterDelete, "critical")).isZero();
        assertThat(findings(afterDelete, "low")).isEqualTo(1);
        assertThat(afterDelete.value("kimi_convergence_fixes", Map.of())).isZero();
        assertThat(afterDelete.value("kimi_convergence_vulnerabilities", Map.of())).isZero();

        server.restart();
        PrometheusText restarted = scrape();
        for (String status : List.of("running", "converged", "failed", "completed")) {
            assertThat(sessions(restarted, status)).as(status).isEqualTo(sessions(afterDelete, status));
        }
        for (String severity : List.of("critical", "high", "medium", "low", "info")) {
            assertThat(findings(restarted, severity)).as(severity).isEqualTo(findings(afterDelete, severity));
        }
        assertThat(restarted.value("kimi_convergence_iterations", Map.of())).isEqualTo(4);
        assertThat(stepCount(restarted, "other")).as("durations count since the process started").isZero();

        // The loaded figures go on following changes: C's session gets a later event, B converges.
        post(List.of(FakeConvergenceLoop.event("conv-b", 2, "CONVERGED", "CONVERGENCE_REACHED", "{}")));
        PrometheusText moved = scrape();
        assertThat(sessions(moved, "running")).isZero();
        assertThat(sessions(moved, "converged")).isEqualTo(1);
        assertThat(moved.value("kimi_convergence_iterations", Map.of())).isEqualTo(2 + 3);
    }

    @Test
    void theBridgeStateAndCountersFollowALoopOnLoopback() throws Exception {
        server.stop();
        try (FakeConvergenceLoop loop = FakeConvergenceLoop.start()) {
            server.restart(s -> s.convergenceToml("url = \"" + loop.url() + "\"\nreconnect_max_ms = 400"));
            assertThat(loop.awaitClient(Duration.ofSeconds(10))).isTrue();
            List<String> events = LoopSessions.converged("conv-bridge");
            loop.sendBatch(events);
            loop.send("{not json");
            LoopSessions.awaitSession(server, "conv-bridge", n -> n.path("status").asText().equals("converged"));
            await().atMost(WAIT).alias("the invalid message is counted").until(() ->
                    scrape().value("kimi_convergence_bridge_invalid_events_total", Map.of()) == 1);

            PrometheusText s = scrape();
            assertThat(s.value("kimi_convergence_bridge_state", Map.of("state", "connected"))).isEqualTo(1);
            assertThat(s.sum("kimi_convergence_bridge_state", Map.of())).isEqualTo(1);
            assertThat(s.value("kimi_convergence_bridge_messages_total", Map.of())).isEqualTo(2);
            assertThat(s.value("kimi_convergence_bridge_events_accepted_total", Map.of())).isEqualTo(events.size());
            assertThat(s.value("kimi_convergence_bridge_reconnects_total", Map.of())).isZero();
            assertThat(sessions(s, "converged")).isEqualTo(1);

            loop.close();
            await().atMost(WAIT).alias("the lost connection shows").until(() -> {
                PrometheusText now = scrape();
                return now.value("kimi_convergence_bridge_state", Map.of("state", "connected")) == 0
                        && now.value("kimi_convergence_bridge_reconnects_total", Map.of()) == 1;
            });
        }
    }
}
