package io.kimi.api;

import static io.kimi.api.LoopSessions.awaitSession;
import static io.kimi.api.testing.KimiServerExtension.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kimi.api.testing.KimiServerExtension;
import io.kimi.testing.FakeConvergenceLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The convergence bridge against a loop that fails badly: killed mid-burst (no close frame), or hung with its
 * socket open. A real server, a real SQLite file and a fake loop on loopback.
 */
class ConvergenceBridgeFailuresTest {
    private static final int BATCH = 2_000;
    private static final int FLOOD = 1_200;

    FakeConvergenceLoop loop;
    @RegisterExtension
    final KimiServerExtension server = new KimiServerExtension().manualStart();

    private void start(String convergenceToml) {
        loop = FakeConvergenceLoop.start();
        server.restart(s -> s.convergenceToml("url = \"" + loop.url() + "\"\nreconnect_max_ms = 400\n"
                        + convergenceToml));
    }

    private String health() {
        return "health: " + json(server.get("/health")).path("convergence");
    }

    @AfterEach
    void stop() {
        if (server != null) {
        }
        if (loop != null) {
            loop.close();
        }
    }

    @Test
    void aLoopKilledMidBurstIsNoticedAndTheReplayCompletesEverySessionOnce() throws Exception {
        start("");
        List<String> first = LoopSessions.converged("burst-1");
        List<String> second = LoopSessions.converged("burst-2");
        List<String> metrics = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            metrics.add(FakeConvergenceLoop.event("burst-2", 1, "DIAGNOSING", "METRICS", "{\"n\":" + i + "}"));
        }
        assertThat(loop.awaitClient(Duration.ofSeconds(10))).isTrue();
        // The restarted loop replays both sessions to the client that reconnects.
        List<String> replay = new ArrayList<>(first);
        replay.add(FakeConvergenceLoop.batch(metrics));
        replay.addAll(second);
        loop.replayOnConnect(replay);

        // Eight messages, the last a batch that takes a while to store, and the loop dies 300 ms later.
        loop.sendThenDrop(List.of(first.get(0), second.get(0), first.get(1), second.get(1), first.get(2),
                second.get(2), first.get(3), FakeConvergenceLoop.batch(metrics)), Duration.ofMillis(300));

        assertThat(loop.awaitHandshakes(2, Duration.ofSeconds(15))).as(this::health).isTrue();
        for (String id : List.of("burst-1", "burst-2")) {
            JsonNode s = awaitSession(server, id, n -> n.path("status").asText().equals("converged"));
            assertThat(s.path("metrics").path("total_findings").asInt()).isEqualTo(3);
        }
        assertThat(json(server.get("/api/sessions/burst-1/events?limit=1")).path("total").asInt())
                .isEqualTo(first.size());
        assertThat(json(server.get("/api/sessions/burst-2/events?limit=1")).path("total").asInt())
                .isEqualTo(second.size() + BATCH);
        JsonNode health = json(server.get("/health")).path("convergence");
        assertThat(health.path("state").asText()).isEqualTo("connected");
        assertThat(health.path("connections").asInt()).isEqualTo(2);
        assertThat(health.path("reconnects").asInt()).isEqualTo(1);
        assertThat(health.path("events_accepted").asInt()).isEqualTo(first.size() + second.size() + BATCH);
    }

    @Test
    void aLoopThatStopsAnsweringPingsIsTakenForDeadAndReconnectedTo() throws Exception {
        start("liveness_timeout_ms = 600");
        assertThat(loop.awaitClient(Duration.ofSeconds(10))).isTrue();

        loop.answerPings(false);

        assertThat(loop.awaitPings(1, Duration.ofSeconds(10))).as("the bridge pings a silent loop").isTrue();
        assertThat(loop.awaitHandshakes(2, Duration.ofSeconds(10))).as(this::health).isTrue();
        loop.answerPings(true);
        JsonNode health = json(server.get("/health")).path("convergence");
        assertThat(health.path("reconnects").asInt()).isPositive();
        assertThat(health.path("last_error").asText()).isEqualTo("no message or pong for 600 ms");
    }

    @Test
    void aQuietLoopThatAnswersPingsStaysConnected() throws Exception {
        start("liveness_timeout_ms = 600");
        assertThat(loop.awaitClient(Duration.ofSeconds(10))).isTrue();

        // Six pings are two liveness timeouts of silence but for the pongs.
        assertThat(loop.awaitPings(6, Duration.ofSeconds(10))).isTrue();

        assertThat(loop.handshakes()).isEqualTo(1);
        JsonNode health = json(server.get("/health")).path("convergence");
        assertThat(health.path("state").asText()).isEqualTo("connected");
        assertThat(health.path("reconnects").asInt()).isZero();
    }

    @Test
    void aFloodLargerThanTheReadQueueIsStoredWholeWithoutReconnecting() throws Exception {
        start("");
        List<String> session = LoopSessions.converged("flood-1");
        assertThat(loop.awaitClient(Duration.ofSeconds(10))).isTrue();

        // Each batch is over 1 MiB: the bridge pauses reading after the first, and must resume for the rest.
        loop.send(FakeConvergenceLoop.batch(flood("flood-1", 0)));
        loop.send(FakeConvergenceLoop.batch(flood("flood-1", FLOOD)));
        loop.sendEvents(session);

        awaitSession(server, "flood-1", n -> n.path("status").asText().equals("converged"));
        assertThat(json(server.get("/api/sessions/flood-1/events?limit=1")).path("total").asInt())
                .isEqualTo(2 * FLOOD + session.size());
        JsonNode health = json(server.get("/health")).path("convergence");
        assertThat(health.path("read_pauses").asInt()).isPositive();
        assertThat(health.path("connections").asInt()).isEqualTo(1);
        assertThat(health.path("reconnects").asInt()).isZero();
        assertThat(health.path("events_accepted").asInt()).isEqualTo(2 * FLOOD + session.size());
    }

    /** {@link #FLOOD} events of about 1 KB each, numbered from {@code first}. */
    private static List<String> flood(String session, int first) {
        String blob = "x".repeat(800);
        List<String> events = new ArrayList<>();
        for (int i = first; i < first + FLOOD; i++) {
            events.add(FakeConvergenceLoop.event(session, 1, "DIAGNOSING", "METRICS",
                    "{\"n\":" + i + ",\"blob\":\"" + blob + "\"}"));
        }
        return events;
    }
}
