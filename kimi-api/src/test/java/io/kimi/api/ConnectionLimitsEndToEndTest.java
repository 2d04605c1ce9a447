package io.kimi.api;

import static io.kimi.api.testing.KimiServerExtension.chatBody;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.kimi.api.testing.KimiServerExtension;
import io.kimi.testing.FakeUpstream;
import io.kimi.testing.Reply;
import io.kimi.testing.UsageStyle;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Slow and idle clients against a real server with short timeouts: slowloris headers, a trickled body, idle
 * keep-alive connections, and floods over the connection limits from a second loopback address (127.0.0.2)
 * while the first (127.0.0.1) still gets answers.
 */
class ConnectionLimitsEndToEndTest {
    private static final String SHORT_TIMEOUTS = """
            header_read_timeout_ms = 400
            body_read_timeout_ms = 400
            idle_timeout_ms = 400
            """;
    private static final String ATTACKER = "127.0.0.2";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private FakeUpstream fake;
    @RegisterExtension
    final KimiServerExtension server = new KimiServerExtension().manualStart();
    private final List<RawClient> clients = new ArrayList<>();

    @BeforeEach
    void startFake() {
        fake = server.fake();
    }

    @AfterEach
    void stop() {
        clients.forEach(RawClient::close);
        if (server != null) {
        }
    }

    private void start(String serverToml) {
        server.restart(s -> s.serverToml(serverToml));
    }

    private int port() {
        return server.port();
    }

    private RawClient connect(String from) {
        RawClient c = RawClient.connect(from, port());
        clients.add(c);
        return c;
    }

    private long openCount(List<RawClient> list) {
        return list.stream().filter(c -> !c.poll()).count();
    }

    @Test
    void slowlorisConnectionsAreAnswered408AndClosedAfterTheHeaderReadTimeout() {
        start(SHORT_TIMEOUTS);
        List<RawClient> slow = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            slow.add(connect(ATTACKER).send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow-" + i + ": "));
        }

        // Each keeps trickling header bytes every 100 ms (the attacker's pace), as slowloris does to look alive,
        // until the server gives up on it.
        await("every slowloris connection closed by the server").atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    slow.stream().filter(c -> !c.poll()).forEach(c -> c.send("a"));
                    return openCount(slow) == 0;
                });
        assertThat(slow.get(0).received()).startsWith("HTTP/1.1 408 ").contains("\"code\":\"request_timeout\"");
        assertThat(metric("kimi_http_timeouts_total{phase=\"header\"}")).isGreaterThanOrEqualTo(300);
    }

    @Test
    void aBodyTrickledSlowerThanTheBodyReadTimeoutIsAnswered408() throws Exception {
        start(SHORT_TIMEOUTS);
        RawClient c = connect("127.0.0.1").send("POST /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"session_id\":");

        RawClient.Response r = c.awaitResponse(WAIT);

        assertThat(r.status()).isEqualTo(408);
        assertThat(KimiServerExtension.JSON.readTree(r.body()).path("error").path("code").asText())
                .isEqualTo("request_timeout");
        assertThat(c.awaitClosed(WAIT)).as("closed after the 408").isTrue();
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() {
        start(SHORT_TIMEOUTS);
        RawClient c = connect("127.0.0.1").send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertThat(c.awaitResponse(WAIT).status()).isEqualTo(200);

        assertThat(c.awaitClosed(WAIT)).as("closed once idle").isTrue();
        assertThat(metric("kimi_http_timeouts_total{phase=\"idle\"}")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aStreamedCompletionLongerThanEveryTimeoutIsNotCut() {
        start(SHORT_TIMEOUTS);
        // Six chunks 600 ms apart: 3 s of streaming, each gap longer than every timeout.
        fake.enqueue(Reply.streamingCompletion(List.of("a", "b", "c", "d", "e", "f"), null, UsageStyle.NONE)
                .delayBetweenChunks(Duration.ofMillis(600)));

        HttpResponse<String> r = server.send(HttpRequest.newBuilder(server.uri("/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(chatBody("kimi-k2", true, ""))));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"content\":\"f\"").contains("data: [DONE]");
    }

    @Test
    void aWebSocketIsNotClosedByTheHttpTimeouts() {
        start(SHORT_TIMEOUTS);
        try (WsTestClient ws = WsTestClient.connect(URI.create("ws://127.0.0.1:" + port() + "/ws"))) {
            ws.next("init");
            // Another connection answered after the WebSocket opened, and idle since: once it is closed, the
            // WebSocket has been open longer than the idle (and header) timeout.
            RawClient witness = connect("127.0.0.1").send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            witness.awaitResponse(WAIT);
            assertThat(witness.awaitClosed(WAIT)).isTrue();

            ws.send("{\"action\":\"ping\"}");

            assertThat(ws.next("pong").path("timestamp").asText()).endsWith("Z");
        }
    }

    @Test
    void connectionsOverThePerClientLimitAreRefusedWith503WhileOtherClientsAreServed() {
        start(SHORT_TIMEOUTS.replace("400", "60000") + "max_connections = 100\nmax_connections_per_client = 20\n");
        try (LogCapture log = new LogCapture("io.kimi.api.ConnectionLimiter", Level.WARN)) {
            List<RawClient> flood = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                flood.add(connect(ATTACKER));
            }

            await("10 of 30 connections refused").atMost(WAIT).until(() -> flood.size() - openCount(flood) >= 10);
            List<RawClient> refused = flood.stream().filter(RawClient::poll).toList();
            assertThat(refused).hasSize(10);
            assertThat(refused.get(0).received()).startsWith("HTTP/1.1 503 ")
                    .contains("\"code\":\"too_many_connections\"");
            assertThat(server.get("/health").statusCode()).isEqualTo(200);
            assertThat(metric("kimi_http_connections_refused_total{reason=\"per_client\"}")).isEqualTo(10);
            assertThat(log.messages()).isNotEmpty()
                    .allSatisfy(m -> assertThat(m).contains("127.0.0.2").contains("max_connections_per_client"));
            assertThat(log.messages().size()).as("rate-limited log lines").isLessThan(10);
        }
    }

    @Test
    void connectionsOverTheTotalLimitAreRefusedUntilSomeClose() {
        start(SHORT_TIMEOUTS.replace("400", "60000") + "max_connections = 30\nmax_connections_per_client = 30\n");
        List<RawClient> flood = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            flood.add(connect(ATTACKER));
        }
        RawClient probe = connect("127.0.0.1");
        assertThat(probe.awaitResponse(WAIT).status()).isEqualTo(503);
        assertThat(openCount(flood)).isEqualTo(30);

        flood.subList(0, 5).forEach(RawClient::close);

        await("/health answered once connections were freed").atMost(WAIT)
                .until(() -> healthOver(connect("127.0.0.1")) == 200);
        assertThat(metric("kimi_http_connections_refused_total{reason=\"total\"}")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void healthIsAnsweredWhileAFloodOfIdleConnectionsIsHeld() {
        start("max_connections = 1000\nmax_connections_per_client = 200\n");
        List<RawClient> flood = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            flood.add(connect(ATTACKER));
        }

        RawClient probe = connect("127.0.0.1").send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");

        assertThat(probe.awaitResponse(WAIT).status()).isEqualTo(200);
        await("100 refused over the per-client limit").atMost(WAIT).until(() -> flood.size() - openCount(flood) == 100);
        assertThat(openCount(flood)).isEqualTo(200);
    }

    private static int healthOver(RawClient c) {
        c.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        return c.awaitResponse(WAIT).status();
    }

    /** A sample's value from {@code /metrics}, 0 when absent. */
    private double metric(String sample) {
        String text = server.get("/metrics").body();
        return text.lines().filter(l -> l.startsWith(sample + " ")).mapToDouble(
                l -> Double.parseDouble(l.substring(sample.length() + 1).trim())).findFirst().orElse(0);
    }
}
