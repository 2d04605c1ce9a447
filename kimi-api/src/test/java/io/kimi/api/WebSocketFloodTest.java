package io.kimi.api;

import static io.kimi.api.testing.KimiServerExtension.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kimi.api.testing.KimiServerExtension;
import io.kimi.core.hub.HubMessage;
import io.kimi.testing.RawWsClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Clients that send and never read, against a real server on loopback: every write to a WebSocket client (pongs,
 * replies, close frames, pushes) waits for the client to read, a client too far behind is cut off, and the
 * server stays usable for everyone else.
 */
class WebSocketFloodTest {
    /** About 13 MB of pings: far more than the socket buffers between the server and a client that never reads. */
    private static final int PINGS = 100_000;
    private static final Duration FLOOD_TIME = Duration.ofSeconds(30);
    private static final byte[] PING_PAYLOAD = "p".repeat(125).getBytes(StandardCharsets.US_ASCII);
    private static final String UNUSED_UPSTREAM = "http://127.0.0.1:9";

    @RegisterExtension
    final KimiServerExtension server = new KimiServerExtension().manualStart();

    @AfterEach
    void stop() {
        if (server != null) {
        }
    }

    private void start(String serverToml) {
        server.restart(s -> s.serverToml(serverToml));
    }

    @Test
    void pingFramesFromAClientThatNeverReadsGetItCutOffAndTheServerStaysUsable() throws Exception {
        floodWithoutReading(RawWsClient.frame(RawWsClient.OPCODE_PING, PING_PAYLOAD));
    }

    @Test
    void pingActionsFromAClientThatNeverReadsGetItCutOffAndTheServerStaysUsable() throws Exception {
        floodWithoutReading(RawWsClient.frame(RawWsClient.OPCODE_TEXT,
                "{\"action\":\"ping\"}".getBytes(StandardCharsets.US_ASCII)));
    }

    /**
     * Sends {@link #PINGS} copies of {@code ping} and never reads; then the server must have cut the client off,
     * counted it, and still serve {@code /health} and new clients (more than one, so every event loop gets one).
     */
    private void floodWithoutReading(byte[] ping) throws Exception {
        start("");
        try (RawWsClient flood = new RawWsClient(server.port())) {
            flood.flood(ping, PINGS, FLOOD_TIME);

            assertThat(flood.readUntilClosed()).isIn(1008, -1);
        }

        HttpResponse<String> health = server.send(HttpRequest.newBuilder(server.uri("/health"))
                .timeout(Duration.ofSeconds(5)).GET());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(json(health).path("websocket").path("dropped").path("queue_limit").asLong()).isPositive();
        assertThat(server.get("/metrics").body())
                .containsPattern("kimi_websocket_dropped_total\\{reason=\"queue_limit\"} [1-9]");
        for (int i = 0; i < 4; i++) {
            try (WsTestClient client = WsTestClient.connect(ws())) {
                client.next("init");
                client.send("{\"action\":\"ping\"}");
                assertThat(client.next("pong").path("timestamp").asText()).endsWith("Z");
            }
        }
    }

    @Test
    void aClientThatClosesWithoutReadingIsDisconnectedEvenWithMessagesPending() throws Exception {
        start("");
        String payload = "{\"type\":\"event\",\"event_type\":\"METRICS\",\"pad\":\"" + "w".repeat(60_000) + "\"}";

        try (RawWsClient client = new RawWsClient(server.port())) {
            awaitClients(1);
            for (int i = 0; i < 100; i++) { // 6 MB: more than the loopback buffers hold, less than the limits
                server.server().hub().publish(new HubMessage("event", "METRICS", payload));
            }
            client.send(RawWsClient.frame(RawWsClient.OPCODE_CLOSE, new byte[] {0x03, (byte) 0xe8}));

            assertThat(client.closedByServerWithin(Duration.ofSeconds(10))).isTrue();
        }
        JsonNode ws = health().path("websocket");
        assertThat(ws.path("clients").asInt()).isZero();
        assertThat(ws.path("outbound_bytes").asLong()).isZero();
    }

    @Test
    void theOutboundLimitCutsOffTheClientsThatStoppedReadingWhileAReadingClientGetsEverything()
            throws Exception {
        // 256 KiB for all clients together, well above what 4 clients that read hold in a batch (4 × 20 KB);
        // queues long enough that only that limit can cut anyone off.
        start("ws_outbound_limit_bytes = 262144\nws_queue_limit = 1000000");
        String payload = "{\"type\":\"event\",\"event_type\":\"METRICS\",\"pad\":\"" + "z".repeat(2000) + "\"}";
        List<RawWsClient> stalled = new ArrayList<>();
        try (WsTestClient reader = WsTestClient.connect(ws())) {
            reader.next("init");
            for (int i = 0; i < 3; i++) {
                stalled.add(new RawWsClient(server.port()));
            }
            awaitClients(4);

            // 4 MB per client, far more than the socket buffers hold, in batches (20 KB) the reading client takes
            // before the next: it never holds more than a batch, the others soon hold more than the limit.
            for (int batch = 0; batch < 200; batch++) {
                for (int i = 0; i < 10; i++) {
                    server.server().hub().publish(new HubMessage("event", "METRICS", payload));
                }
                for (int i = 0; i < 10; i++) {
                    assertThat(reader.next("event").path("event_type").asText()).isEqualTo("METRICS");
                }
            }

            for (RawWsClient s : stalled) {
                assertThat(s.readUntilClosed()).isIn(1008, -1);
            }
            assertThat(reader.closed).isNotDone();
            JsonNode ws = health().path("websocket");
            assertThat(ws.path("dropped").path("outbound_limit").asLong()).isPositive();
            assertThat(ws.path("outbound_limit_bytes").asLong()).isEqualTo(262_144);
            assertThat(server.get("/metrics").body())
                    .containsPattern("kimi_websocket_dropped_total\\{reason=\"outbound_limit\"} [1-9]");
        } finally {
            for (RawWsClient s : stalled) {
                s.close();
            }
        }
        // Every byte counted for the clients is given back once they are gone.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode ws = health().path("websocket");
            assertThat(ws.path("clients").asInt()).isZero();
            assertThat(ws.path("outbound_bytes").asLong()).isZero();
        });
    }

    /**
     * Readers and clients that never read share the event loops (their drains run in one task per loop): the
     * readers get every push, in order, while each stalled client is cut off at its queue limit, once, and counted.
     */
    @Test
    void clientsThatStopReadingNeverHoldBackTheReadersOfTheirEventLoopAndWhatTheyMissIsCounted() throws Exception {
        // The shared limit far above what the stalled clients can hold: only their own queue limit cuts them off.
        start("ws_queue_limit = 50\nws_outbound_limit_bytes = 1073741824");
        String pad = "q".repeat(50_000);
        List<WsTestClient> readers = new ArrayList<>();
        List<RawWsClient> stalled = new ArrayList<>();
        try {
            // Two readers, two stalled, and again: on two or more loops, each loop holds both kinds.
            for (int i = 0; i < 4; i++) {
                readers.add(WsTestClient.connect(ws()));
                readers.add(WsTestClient.connect(ws()));
                stalled.add(new RawWsClient(server.port()));
                stalled.add(new RawWsClient(server.port()));
            }
            for (WsTestClient reader : readers) {
                reader.next("init");
            }
            awaitClients(16);

            // 200 × 50 KB = 10 MB for each client: far more than loopback buffers hold for one that never reads.
            for (int batch = 0; batch < 20; batch++) {
                for (int i = 0; i < 10; i++) {
                    int n = batch * 10 + i;
                    server.server().hub().publish(new HubMessage("event", "METRICS",
                            "{\"type\":\"event\",\"event_type\":\"METRICS\",\"n\":" + n + ",\"pad\":\"" + pad
                                    + "\"}"));
                }
                for (WsTestClient reader : readers) {
                    for (int i = 0; i < 10; i++) {
                        assertThat(reader.next("event").path("n").asInt()).isEqualTo(batch * 10 + i);
                    }
                }
            }

            for (RawWsClient s : stalled) {
                assertThat(s.readUntilClosed()).isIn(1008, -1);
            }
            for (WsTestClient reader : readers) {
                assertThat(reader.closed).isNotDone();
            }
            JsonNode ws = health().path("websocket");
            assertThat(ws.path("dropped").path("queue_limit").asLong()).isEqualTo(stalled.size());
            assertThat(ws.path("dropped").path("outbound_limit").asLong()).isZero();
            assertThat(server.get("/metrics").body())
                    .containsPattern("kimi_websocket_dropped_total\\{reason=\"queue_limit\"} " + stalled.size()
                            + "(\\.0)?\\n");
        } finally {
            readers.forEach(WsTestClient::close);
            for (RawWsClient s : stalled) {
                s.close();
            }
        }
    }

    @Test
    void healthAndMetricsReportDirectMemoryUsedAndItsMaximum() {
        start("");

        JsonNode direct = health().path("direct_memory");
        String metrics = server.get("/metrics").body();

        assertThat(direct.path("max_bytes").asLong()).isPositive();
        assertThat(direct.path("used_bytes").asLong()).isBetween(0L, direct.path("max_bytes").asLong());
        assertThat(direct.path("netty_allocator_bytes").asLong()).isNotNegative();
        assertThat(metrics).containsPattern("(?m)^kimi_direct_memory_used_bytes \\d")
                .containsPattern("(?m)^kimi_direct_memory_max_bytes [1-9]")
                .containsPattern("(?m)^kimi_websocket_outbound_limit_bytes [1-9]");
    }

    private void awaitClients(int count) {
        await().atMost(Duration.ofSeconds(10)).until(() -> health().path("websocket").path("clients").asInt() == count);
    }

    private JsonNode health() {
        return json(server.get("/health"));
    }

    private URI ws() {
        return server.wsUri("/ws");
    }
}
