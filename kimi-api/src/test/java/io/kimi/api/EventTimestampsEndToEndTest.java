package io.kimi.api;

import static io.kimi.api.testing.KimiServerExtension.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kimi.api.testing.KimiServerExtension;
import io.kimi.core.ConvergenceTotals;
import io.kimi.core.Event;
import io.kimi.core.Session;
import io.kimi.core.SessionKind;
import io.kimi.core.SessionStatus;
import io.kimi.core.SessionTotals;
import io.kimi.core.store.sqlite.SqliteStore;
import io.kimi.testing.FakeConvergenceLoop;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Event timestamps out of any sane range (year -999999999, year 10000, a day ahead): refused at the edge over
 * HTTP and dropped (counted) over the bridge; and sessions that already hold such a timestamp in the store still
 * have metrics. A real server, a real SQLite file, a fake loop on loopback.
 */
class EventTimestampsEndToEndTest {
    private static final String ANCIENT = "-999999999-01-01T00:00:00Z";

    FakeConvergenceLoop loop;
    @RegisterExtension
    final KimiServerExtension server = new KimiServerExtension().manualStart();

    @BeforeEach
    void start() {
        loop = FakeConvergenceLoop.start();
        server.convergenceToml("url = \"" + loop.url() + "\"\nreconnect_max_ms = 400").start();
    }

    @AfterEach
    void stop() {
        loop.close();
    }

    private static String event(String session, String timestamp) {
        return "{\"session_id\":\"" + session + "\",\"event_type\":\"SESSION_STARTED\",\"state\":\"IDLE\","
                + "\"timestamp\":\"" + timestamp + "\",\"data\":{\"target\":\"t\"}}";
    }

    @Test
    void aPostedEventAtYearMinusOneBillionIsRefusedNamingTheFieldAndNothingIsStored() {
        HttpResponse<String> one = server.post("/api/events", event("ancient-1", ANCIENT));
        HttpResponse<String> batch = server.post("/api/events", "[" + event("ancient-2", Instant.now().toString())
                + "," + event("ancient-2", ANCIENT) + "]");

        assertThat(one.statusCode()).isEqualTo(400);
        assertThat(json(one).path("error").path("message").asText()).startsWith("timestamp: ")
                .contains(ANCIENT).contains("2000-01-01T00:00:00Z");
        assertThat(json(one).path("error").path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(batch.statusCode()).isEqualTo(400);
        assertThat(json(batch).path("error").path("message").asText()).startsWith("[1].timestamp: ");
        assertThat(server.get("/api/sessions/ancient-1").statusCode()).isEqualTo(404);
        assertThat(server.get("/api/sessions/ancient-2").statusCode()).as("the valid one is not stored either")
                .isEqualTo(404);
        assertThat(server.get("/api/sessions/ancient-1/metrics").statusCode()).isEqualTo(404);
    }

    @Test
    void timestampsFromYear2000ToADayAheadAreAcceptedAndOthersRefused() {
        Instant now = Instant.now();
        assertThat(server.post("/api/events", event("range-1", "2000-01-01T00:00:00Z")).statusCode()).isEqualTo(200);
        assertThat(server.post("/api/events", event("range-2", now.plus(Duration.ofHours(23)).toString()))
                .statusCode()).as("a loop whose clock runs ahead").isEqualTo(200);
        assertThat(server.post("/api/events", event("range-3", "2024-01-15T10:30:00+02:00")).statusCode())
                .isEqualTo(200);

        for (String bad : List.of("1999-12-31T23:59:59Z", now.plus(Duration.ofHours(25)).toString(),
                "+10000-01-01T00:00:00Z", "+999999999-12-31T23:59:59Z", ANCIENT)) {
            HttpResponse<String> r = server.post("/api/events", event("range-bad", bad));
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
            assertThat(json(r).path("error").path("message").asText()).as(bad).startsWith("timestamp: ");
        }
        assertThat(server.get("/api/sessions/range-bad").statusCode()).isEqualTo(404);
    }

    @Test
    void theBridgeDropsAndCountsAnEventAtAnAbsurdTimeAndKeepsTheRest() throws Exception {
        assertThat(loop.awaitClient(Duration.ofSeconds(10))).isTrue();

        loop.send("[" + event("bridge-ts", ANCIENT) + ","
                + FakeConvergenceLoop.event("bridge-ts", 1, "DIAGNOSING", "ITERATION_STARTED", "{}") + "]");

        JsonNode s = LoopSessions.awaitSession(server, "bridge-ts", n -> n.path("current_iteration").asInt() == 1);
        assertThat(Instant.parse(s.path("start_time").asText())).isAfter(Instant.parse("2000-01-01T00:00:00Z"));
        assertThat(json(server.get("/api/sessions/bridge-ts/events")).path("total").asInt()).isEqualTo(1);
        // The bridge counts an event as accepted once its commit completes, just after it becomes readable.
        await("the bridge's counters").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode bridge = json(server.get("/health")).path("convergence");
            assertThat(bridge.path("invalid_events").asInt()).isEqualTo(1);
            assertThat(bridge.path("events_accepted").asInt()).isEqualTo(1);
        });
        assertThat(server.get("/api/sessions/bridge-ts/metrics").statusCode()).isEqualTo(200);
    }

    @Test
    void aSessionAlreadyStoredWithAbsurdTimesStillHasMetrics() throws Exception {
        Instant ancient = LocalDateTime.of(-999_999_999, 1, 1, 0, 0).toInstant(ZoneOffset.UTC);
        Instant farFuture = LocalDateTime.of(999_999_999, 12, 31, 23, 59).toInstant(ZoneOffset.UTC);
        try (SqliteStore direct = SqliteStore.open(server.database(), Clock.systemUTC())) {
            direct.saveSession(new Session("stored-ancient", SessionKind.CONVERGENCE, null, "t", SessionStatus.RUNNING,
                    ancient, null, "IDLE", 0, "{}", null, null, 0, SessionTotals.ZERO, false, ConvergenceTotals.ZERO));
            direct.saveSession(new Session("stored-span", SessionKind.CONVERGENCE, null, "t",
                    SessionStatus.CONVERGED, ancient, farFuture, "CONVERGED", 0, "{}", null, null, 0,
                    SessionTotals.ZERO, false, ConvergenceTotals.ZERO));
            direct.appendEvent(new Event("ev-ancient", "stored-ancient", ancient, 0, "IDLE", "SESSION_STARTED", "{}"));
            direct.flush().get(10, TimeUnit.SECONDS);
        }

        for (String id : List.of("stored-ancient", "stored-span")) {
            HttpResponse<String> metrics = server.get("/api/sessions/" + id + "/metrics");
            assertThat(metrics.statusCode()).as(metrics.body()).isEqualTo(200);
            assertThat(json(metrics).path("duration_seconds").asDouble()).as(id).isPositive();
            assertThat(server.get("/api/sessions/" + id).statusCode()).isEqualTo(200);
            assertThat(server.get("/api/sessions/" + id + "/events").statusCode()).isEqualTo(200);
        }
        assertThat(json(server.get("/api/sessions/stored-span/metrics")).path("duration_seconds").asDouble())
                .as("the whole span, in seconds").isGreaterThan(6.3e16);
        HttpResponse<String> system = server.get("/api/metrics");
        assertThat(system.statusCode()).as(system.body()).isEqualTo(200);
        assertThat(json(system).path("total_sessions").asInt()).isEqualTo(2);
    }
}
