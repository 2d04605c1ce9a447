package io.kimi.api;

import static io.kimi.api.testing.KimiServerExtension.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kimi.api.testing.KimiServerExtension;
import io.kimi.testing.FakeConvergenceLoop;
import io.kimi.testing.FakeUpstream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Convergence monitoring through a real server, a real SQLite file and a fake loop on loopback. */
class ConvergenceEndToEndTest {
    FakeUpstream fake;
    FakeConvergenceLoop loop;
    @RegisterExtension
    final KimiServerExtension server = new KimiServerExtension().manualStart();

    @BeforeEach
    void start() {
        fake = server.fake();
        loop = FakeConvergenceLoop.start();
        server.convergenceToml("url = \"" + loop.url() + "\"\nreconnect_max_ms = 400").start();
    }

    @AfterEach
    void stop() {
        loop.close();
    }

    private static List<String> convergedSession(String id) {
        return LoopSessions.converged(id);
    }

    private JsonNode awaitSession(String id, Predicate<JsonNode> done) throws InterruptedException {
        return LoopSessions.awaitSession(server, id, done);
    }

    @Test
    void bridgeStoresEventsAndBuildsTheSeedShapes() throws Exception {
        assertThat(loop.awaitClient(Duration.ofSeconds(10))).isTrue();
        loop.sendGreeting();
        List<String> events = convergedSession("conv-1");
        loop.sendEvents(events.subList(0, 4));
        loop.sendWrapped(events.get(4));
        loop.sendBatch(events.subList(5, events.size()));

        JsonNode s = awaitSession("conv-1", n -> n.path("status").asText().equals("converged"));

        assertThat(s.path("kind").asText()).isEqualTo("convergence");
        assertThat(s.has("totals")).as("proxy-only fields stay out of convergence sessions").isFalse();
        assertThat(s.path("target").asText()).isEqualTo("https://example.com");
        assertThat(s.path("config").path("max_iterations").asInt()).isEqualTo(10);
        assertThat(s.path("current_state").asText()).isEqualTo("CONVERGED");
        assertThat(s.path("final_state").asText()).isEqualTo("CONVERGED");
        assertThat(s.path("current_iteration").asInt()).isEqualTo(2);
        assertThat(s.path("end_time").isNull()).isFalse();
        JsonNode m = s.path("metrics");
        assertThat(m.path("total_findings").asInt()).isEqualTo(3);
        assertThat(m.path("total_fixes").asInt()).isEqualTo(3);
        assertThat(m.path("total_vulnerabilities").asInt()).isEqualTo(1);
        assertThat(m.path("tests_passed").asInt()).isEqualTo(8);
        assertThat(m.path("tests_failed").asInt()).isZero();

        JsonNode page = json(server.get("/api/sessions/conv-1/events?limit=5&offset=0"));
        assertThat(page.path("total").asInt()).isEqualTo(events.size());
        assertThat(page.path("events")).hasSize(5);
        assertThat(page.path("events").get(0).path("event_type").asText()).isEqualTo("SESSION_STARTED");

        JsonNode metrics = json(server.get("/api/sessions/conv-1/metrics"));
        assertThat(metrics.path("iterations").asInt()).isEqualTo(2);
        assertThat(metrics.path("findings_per_iteration").toString()).isEqualTo("[3,0]");
        assertThat(metrics.path("fixes_per_iteration").toString()).isEqualTo("[3,0]");
        assertThat(metrics.path("step_durations").path("diagnose").toString()).isEqualTo("[120.0,100.0]");
        assertThat(metrics.path("step_durations").path("attack").toString()).isEqualTo("[300.0,0.0]");

        JsonNode system = json(server.get("/api/metrics"));
        assertThat(system.path("total_sessions").asInt()).isEqualTo(1);
        assertThat(system.path("converged_sessions").asInt()).isEqualTo(1);
        assertThat(system.path("findings_by_severity").path("critical").asInt()).isEqualTo(1);
        assertThat(system.path("findings_by_severity").path("high").asInt()).isEqualTo(2);
        assertThat(system.path("bridge").path("state").asText()).isEqualTo("connected");
        assertThat(system.path("bridge").path("events_accepted").asInt()).isEqualTo(events.size());

        JsonNode list = json(server.get("/api/sessions?kind=convergence"));
        assertThat(list.path("total").asInt()).isEqualTo(1);
        assertThat(json(server.get("/health")).path("convergence").path("state").asText()).isEqualTo("connected");
    }

    @Test
    void eventsOfAMissedSessionStartStillCreateTheSession() throws Exception {
        assertThat(loop.awaitClient(Duration.ofSeconds(10))).isTrue();
        loop.sendEvents(List.of(FakeConvergenceLoop.event("late-1", 4, "FIXING", "STEP_STARTED",
                "{\"step\":\"fix\"}")));

        JsonNode s = awaitSession("late-1", n -> n.path("current_iteration").asInt() == 4);
        assertThat(s.path("status").asText()).isEqualTo("running");
        assertThat(s.path("current_state").asText()).isEqualTo("FIXING");
    }

    @Test
    void aLoopRestartWithReplayLosesAndDuplicatesNothing() throws Exception {
        List<String> events = convergedSession("conv-2");
        assertThat(loop.awaitClient(Duration.ofSeconds(10))).isTrue();
        loop.sendEvents(events.subList(0, 6));
        awaitSession("conv-2", n -> n.path("current_iteration").asInt() == 1
                && n.path("metrics").path("tests_passed").asInt() == 7);

        int port = loop.port();
        loop.disconnectClients();
        loop.close();
        loop = FakeConvergenceLoop.start(port, events);
        assertThat(loop.awaitClient(Duration.ofSeconds(15))).isTrue();

        JsonNode s = awaitSession("conv-2", n -> n.path("status").asText().equals("converged"));
        assertThat(json(server.get("/api/sessions/conv-2/events?limit=100")).path("total").asInt())
                .isEqualTo(events.size());
        assertThat(s.path("metrics").path("total_findings").asInt()).isEqualTo(3);
        assertThat(json(server.get("/health")).path("convergence").path("connections").asInt()).isEqualTo(2);
    }

    @Test
    void loopPingsAreAnswered() throws Exception {
        assertThat(loop.awaitClient(Duration.ofSeconds(10))).isTrue();
        loop.ping();

        assertThat(loop.awaitPongs(1, Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void postedEventsAreValidatedAndDuplicatesIgnored() {
        List<String> events = convergedSession("http-1");
        String body = "[" + String.join(",", events) + "]";

        HttpResponse<String> first = server.post("/api/events", body);
        HttpResponse<String> again = server.post("/api/events", body);
        HttpResponse<String> bad = server.post("/api/events", "[{\"session_id\":\"x\"}]");
        HttpResponse<String> one = server.post("/api/events", FakeConvergenceLoop.event("http-2", 0, "IDLE",
                "SESSION_STARTED", "{\"target\":\"t\"}"));

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(json(first).path("accepted").asInt()).isEqualTo(events.size());
        assertThat(json(again).path("accepted").asInt()).isZero();
        assertThat(json(again).path("duplicates").asInt()).isEqualTo(events.size());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json(bad).path("error").path("message").asText()).contains("[0].event_type");
        assertThat(json(one).path("accepted").asInt()).isEqualTo(1);
        JsonNode s = json(server.get("/api/sessions/http-1"));
        assertThat(s.path("status").asText()).isEqualTo("converged");
        assertThat(json(server.get("/api/sessions/http-1/events")).path("total").asInt()).isEqualTo(events.size());
    }

    @Test
    void storedEventsArePushedToWebSocketSubscribers() {
        try (WsTestClient client = WsTestClient.connect(server.wsUri("/ws"))) {
            client.next("init");
            client.send("{\"action\":\"subscribe\",\"events\":[\"STEP_COMPLETE\"]}");
            client.next("response");

            server.post("/api/events", "[" + String.join(",", convergedSession("ws-1")) + "]");

            JsonNode e = client.next("event");
            assertThat(e.path("event_type").asText()).isEqualTo("STEP_COMPLETE");
            assertThat(e.path("session_id").asText()).isEqualTo("ws-1");
            assertThat(e.path("data").path("step").asText()).isEqualTo("diagnose");
        }
    }

    @Test
    void theServerStaysUsableWhileTheLoopIsDown() {
        loop.close();

        assertThat(server.get("/health").statusCode()).isEqualTo(200);
        assertThat(server.get("/api/sessions").statusCode()).isEqualTo(200);
    }
}
