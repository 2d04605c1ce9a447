package io.kimi.api;

import static io.kimi.api.testing.KimiServerExtension.chatBody;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kimi.api.testing.KimiServerExtension;
import io.kimi.core.hub.HubMessage;
import io.kimi.testing.FakeUpstream;
import io.kimi.testing.RawWsClient;
import io.kimi.testing.Reply;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.data.Offset;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The live WebSocket protocol through a real server, with a real WebSocket client on loopback. */
class WebSocketEndToEndTest {
    FakeUpstream fake;
    @RegisterExtension
    final KimiServerExtension server = new KimiServerExtension().manualStart();

    @BeforeEach
    void start() {
        fake = server.fake();
        fake.defaultReply(Reply.chatCompletion("ok", 1000, 50));
        server.start();
    }


    private URI ws(String path) {
        return server.wsUri(path);
    }

    @Test
    void newClientGetsInitThenLiveMetricEventAndSessionMessages() {
        try (WsTestClient client = WsTestClient.connect(ws("/ws"))) {
            JsonNode init = client.next("init");
            assertThat(init.path("data").path("active_session").isNull()).isTrue();
            assertThat(init.path("data").path("thresholds").path("warning").asDouble()).isEqualTo(70);

            server.post("/chat/completions", chatBody("kimi-k2", false, ""));

            JsonNode session = client.next("session");
            assertThat(session.path("action").asText()).isEqualTo("created");
            JsonNode metric = client.next("metric").path("data");
            assertThat(metric.path("prompt_tokens").asInt()).isEqualTo(1000);
            assertThat(metric.path("completion_tokens").asInt()).isEqualTo(50);
            assertThat(metric.path("usage_source").asText()).isEqualTo("reported");
            assertThat(metric.path("estimated_prompt_tokens").asInt()).isPositive();
            assertThat(metric.path("context_window").asInt()).isEqualTo(262144);
            assertThat(metric.path("context_percent").asDouble()).isCloseTo(100.0 * 1050 / 262144,
                    Offset.offset(0.01));
            assertThat(metric.path("cost_usd").asDouble()).isPositive();
            assertThat(metric.path("latency_ms").asLong()).isGreaterThanOrEqualTo(0);
            assertThat(metric.path("source").asText()).isEqualTo("proxy");
            JsonNode event = client.next("event");
            assertThat(event.path("event_type").asText()).isEqualTo("REQUEST_COMPLETED");
            assertThat(event.path("session_id").asText()).isEqualTo(metric.path("session_id").asText());
            assertThat(event.path("data").path("prompt_tokens").asInt()).isEqualTo(1000);
        }
    }

    @Test
    void theRequestEventPushedLiveIsTheStoredEventWithItsDataAsStored() throws Exception {
        try (WsTestClient client = WsTestClient.connect(ws("/ws"))) {
            client.next("init");
            server.post("/chat/completions", chatBody("kimi-k2", false, ""));

            // The accounting thread puts the data text it stored into the live message as it is (not re-serialised
            // from its record): the message must still be the stored event, field for field.
            JsonNode live = client.next("event");
            assertThat(live.path("event_type").asText()).isEqualTo("REQUEST_COMPLETED");
            JsonNode events = KimiServerExtension.JSON.readTree(server.get("/api/sessions/" + live.path("session_id").asText()
                    + "/events?limit=100").body()).path("events");
            JsonNode stored = null;
            for (JsonNode e : events) {
                if (e.path("event_id").asText().equals(live.path("event_id").asText())) {
                    stored = e;
                }
            }
            assertThat(stored).as("the live event is stored").isNotNull();
            assertThat(live.path("data").isObject()).isTrue();
            assertThat(live.path("data")).isEqualTo(stored.path("data"));
            assertThat(live.path("data").path("completion_tokens").asInt()).isEqualTo(50);
            assertThat(live.path("timestamp")).isEqualTo(stored.path("timestamp"));
        }
    }

    @Test
    void initCarriesTheActiveSessionAndItsRecentRequests() {
        server.post("/chat/completions", chatBody("kimi-k2", false, ""));

        try (WsTestClient client = WsTestClient.connect(ws("/"))) {
            JsonNode data = client.next("init").path("data");
            assertThat(data.path("active_session").path("totals").path("requests").asInt()).isEqualTo(1);
            assertThat(data.path("recent_requests")).hasSize(1);
            assertThat(data.path("subscriptions").get(0).asText()).isEqualTo("*");
        }
    }

    @Test
    void pingIsAnsweredWithPong() {
        try (WsTestClient client = WsTestClient.connect(ws("/ws"))) {
            client.send("{\"action\":\"ping\"}");

            assertThat(client.next("pong").path("timestamp").asText()).endsWith("Z");
        }
    }

    @Test
    void theHeartbeatOfSeed000TypePingIsAnsweredWithPongAsActionPingIs() {
        try (WsTestClient client = WsTestClient.connect(ws("/ws"))) {
            client.next("init");
            for (String ping : List.of("{\"type\":\"ping\"}", "{\"action\":\"ping\"}",
                    "{\"type\":\"ping\",\"action\":\"ping\"}")) {
                client.send(ping);

                JsonNode reply = client.next(m -> m.path("type").asText().matches("pong|error"), "pong or error");
                assertThat(reply.path("type").asText()).as(ping + " answered " + reply).isEqualTo("pong");
                assertThat(reply.path("timestamp").asText()).endsWith("Z");
            }
        }
    }

    @Test
    void aTypeOtherThanPingIsNoAction() {
        try (WsTestClient client = WsTestClient.connect(ws("/ws"))) {
            client.send("{\"type\":\"list_sessions\"}");

            JsonNode error = client.next("error");
            assertThat(error.path("code").asText()).isEqualTo("missing_action");
            assertThat(error.path("message").asText()).contains("{\"type\":\"ping\"}");
        }
    }

    @Test
    void subscriptionsFilterByEventOrMessageType() {
        try (WsTestClient client = WsTestClient.connect(ws("/ws"))) {
            client.next("init");
            client.send("{\"action\":\"subscribe\",\"events\":[\"metric\"]}");
            JsonNode reply = client.next("response");
            assertThat(reply.path("request_action").asText()).isEqualTo("subscribe");
            assertThat(reply.path("data").path("subscribed").toString()).isEqualTo("[\"metric\"]");

            server.post("/chat/completions", chatBody("kimi-k2", false, ""));
            server.server().hub().publish(new HubMessage("event", "STEP_COMPLETE",
                    "{\"type\":\"event\",\"event_type\":\"STEP_COMPLETE\"}"));
            List<String> types = new ArrayList<>();
            client.next(m -> {
                types.add(m.path("type").asText());
                return m.path("type").asText().equals("metric");
            }, "metric");
            // The request's event is published right after its metric: a pong after that proves it was filtered.
            client.send("{\"action\":\"ping\"}");
            client.next(m -> {
                types.add(m.path("type").asText());
                return m.path("type").asText().equals("pong");
            }, "pong");
            assertThat(types).contains("metric").doesNotContain("event", "session");

            client.send("{\"action\":\"subscribe\",\"events\":[\"STEP_COMPLETE\"]}");
            client.next("response");
            server.server().hub().publish(new HubMessage("event", "STEP_COMPLETE",
                    "{\"type\":\"event\",\"event_type\":\"STEP_COMPLETE\"}"));
            server.server().hub().publish(new HubMessage("event", "STEP_FAILED",
                    "{\"type\":\"event\",\"event_type\":\"STEP_FAILED\"}"));
            assertThat(client.next("event").path("event_type").asText()).isEqualTo("STEP_COMPLETE");

            client.send("{\"action\":\"unsubscribe\",\"events\":[\"metric\"]}");
            assertThat(client.next("response").path("data").path("subscribed").toString())
                    .isEqualTo("[\"STEP_COMPLETE\"]");
        }
    }

    @Test
    void sessionsCanBeListedAndFetchedOverTheSocket() {
        server.post("/chat/completions", chatBody("kimi-k2", false, ""));
        try (WsTestClient client = WsTestClient.connect(ws("/ws"))) {
            client.send("{\"action\":\"list_sessions\",\"limit\":5,\"offset\":0}");
            JsonNode list = client.next("response");
            assertThat(list.path("request_action").asText()).isEqualTo("list_sessions");
            assertThat(list.path("data").path("total").asInt()).isEqualTo(1);
            String id = list.path("data").path("sessions").get(0).path("session_id").asText();

            client.send("{\"action\":\"get_session\",\"session_id\":\"" + id + "\"}");
            JsonNode got = client.next("response");
            assertThat(got.path("request_action").asText()).isEqualTo("get_session");
            assertThat(got.path("data").path("session_id").asText()).isEqualTo(id);

            client.send("{\"action\":\"get_session\",\"session_id\":\"nope\"}");
            JsonNode missing = client.next("error");
            assertThat(missing.path("code").asText()).isEqualTo("session_not_found");
            assertThat(missing.path("request_action").asText()).isEqualTo("get_session");
        }
    }

    @Test
    void badInputGetsErrorsAndTheConnectionStaysUsable() {
        try (WsTestClient client = WsTestClient.connect(ws("/ws"))) {
            client.send("{not json");
            assertThat(client.next("error").path("code").asText()).isEqualTo("invalid_json");
            client.send("{\"action\":\"fly\"}");
            assertThat(client.next("error").path("code").asText()).isEqualTo("unknown_action");
            client.send("[1,2,3]");
            assertThat(client.next("error").path("code").asText()).isEqualTo("invalid_message");
            client.send("{\"action\":42}");
            assertThat(client.next("error").path("code").asText()).isEqualTo("missing_action");
            client.send("{\"action\":\"list_sessions\",\"limit\":\"ten\"}");
            assertThat(client.next("error").path("message").asText()).contains("limit");
            client.send("{\"action\":\"subscribe\",\"events\":[1]}");
            assertThat(client.next("error").path("code").asText()).isEqualTo("invalid_events");
            client.send("{\"action\":\"get_session\"}");
            assertThat(client.next("error").path("message").asText()).contains("session_id");

            client.send("{\"action\":\"ping\"}");
            assertThat(client.next("pong")).isNotNull();
        }
    }

    /**
     * A client's subscriptions live in the server's memory for as long as it stays connected: one that subscribes
     * to ever new names (each frame within the size limit) must not grow them without bound, nor one name be
     * arbitrarily long.
     */
    @Test
    void subscriptionsOfOneClientAreBoundedInCountAndLength() {
        try (WsTestClient client = WsTestClient.connect(ws("/ws"))) {
            int accepted = 0;
            JsonNode refused = null;
            for (int frame = 0; frame < 40 && refused == null; frame++) {
                StringBuilder names = new StringBuilder();
                for (int i = 0; i < 50; i++) {
                    names.append(i == 0 ? "" : ",").append("\"TYPE_").append(frame).append('_').append(i).append('"');
                }
                client.send("{\"action\":\"subscribe\",\"events\":[" + names + "]}");
                JsonNode reply = client.next(m -> m.path("type").asText().matches("response|error"), "reply");
                if (reply.path("type").asText().equals("error")) {
                    refused = reply;
                } else {
                    accepted = reply.path("data").path("subscribed").size();
                }
            }
            assertThat(refused).as("refused before 2,000 names").isNotNull();
            assertThat(refused.path("code").asText()).isEqualTo("invalid_events");
            assertThat(refused.path("message").asText()).contains("256");
            assertThat(accepted).isBetween(1, 256);

            client.send("{\"action\":\"unsubscribe\",\"events\":[\"*\"]}");
            assertThat(client.next("response").path("data").path("subscribed").size()).isZero();
            client.send("{\"action\":\"subscribe\",\"events\":[\"" + "X".repeat(129) + "\"]}");
            assertThat(client.next("error").path("message").asText()).contains("128");
            client.send("{\"action\":\"subscribe\",\"events\":[\"metric\"]}");
            assertThat(client.next("response").path("data").path("subscribed").toString()).isEqualTo("[\"metric\"]");
        }
    }

    @Test
    void everyDirectReplyEchoesTheRequestIdErrorsIncluded() {
        server.post("/chat/completions", chatBody("kimi-k2", false, ""));
        try (WsTestClient client = WsTestClient.connect(ws("/ws"))) {
            client.send("{\"action\":\"ping\",\"request_id\":\"p-1\"}");
            assertThat(client.next("pong").path("request_id").asText()).isEqualTo("p-1");
            client.send("{\"action\":\"subscribe\",\"events\":[\"metric\"],\"request_id\":\"s \\\"quoted\\\" ~\"}");
            JsonNode subscribed = client.next("response");
            assertThat(subscribed.path("request_id").asText()).isEqualTo("s \"quoted\" ~");
            assertThat(subscribed.path("data").path("subscribed").toString()).isEqualTo("[\"metric\"]");
            client.send("{\"action\":\"list_sessions\",\"limit\":5,\"request_id\":\"" + "L".repeat(128) + "\"}");
            JsonNode list = client.next("response");
            assertThat(list.path("request_id").asText()).isEqualTo("L".repeat(128));
            assertThat(list.path("data").path("total").asInt()).isEqualTo(1);

            String[][] errors = {
                {"{\"action\":\"get_session\",\"session_id\":\"nope\",\"request_id\":\"g-1\"}", "session_not_found", "g-1"},
                {"{\"action\":\"get_session\",\"request_id\":\"g-2\"}", "invalid_request", "g-2"},
                {"{\"action\":\"fly\",\"request_id\":\"f-1\"}", "unknown_action", "f-1"},
                {"{\"action\":42,\"request_id\":\"m-1\"}", "missing_action", "m-1"},
                {"{\"action\":\"subscribe\",\"events\":[],\"request_id\":\"e-1\"}", "invalid_events", "e-1"},
            };
            for (String[] e : errors) {
                client.send(e[0]);
                JsonNode error = client.next("error");
                assertThat(error.path("code").asText()).as(e[0]).isEqualTo(e[1]);
                assertThat(error.path("request_id").asText()).as(e[0]).isEqualTo(e[2]);
            }

            client.send("{\"action\":\"ping\"}");
            assertThat(client.next("pong").has("request_id")).as("no id asked, none echoed").isFalse();
            client.send("{\"action\":\"ping\",\"request_id\":null}");
            assertThat(client.next("pong").has("request_id")).as("null is no id").isFalse();
        }
    }

    @Test
    void aRequestIdThatIsNotAShortPrintableStringIsRefusedNamingTheField() {
        try (WsTestClient client = WsTestClient.connect(ws("/ws"))) {
            String[] bad = {"42", "\"\"", "\"" + "x".repeat(129) + "\"", "\"tab\\there\"", "\"caf\u00e9\"", "[\"a\"]",
                "{\"id\":1}"};
            for (String id : bad) {
                client.send("{\"action\":\"list_sessions\",\"request_id\":" + id + "}");
                JsonNode error = client.next("error");
                assertThat(error.path("code").asText()).as(id).isEqualTo("invalid_request_id");
                assertThat(error.path("message").asText()).as(id).startsWith("request_id: ")
                        .contains("printable ASCII");
                assertThat(error.path("request_action").asText()).as(id).isEqualTo("list_sessions");
                assertThat(error.has("request_id")).as(id).isFalse();
            }
            client.send("{\"action\":\"ping\",\"request_id\":\"still-usable\"}");
            assertThat(client.next("pong").path("request_id").asText()).isEqualTo("still-usable");
        }
    }

    @Test
    void oversizeMessageGetsAnErrorAndACloseWithMessageTooBig() throws Exception {
        try (WsTestClient client = WsTestClient.connect(ws("/ws"))) {
            client.send("{\"action\":\"ping\",\"pad\":\"" + "x".repeat(70_000) + "\"}");

            assertThat(client.next("error").path("code").asText()).isEqualTo("message_too_big");
            assertThat(client.closed.get(5, TimeUnit.SECONDS)).isEqualTo(1009);
        }
    }

    @Test
    void clientThatStopsReadingIsCutOffWhileOthersGetEverything() throws Exception {
        String payload = "{\"type\":\"event\",\"event_type\":\"METRICS\",\"pad\":\"" + "y".repeat(2000) + "\"}";
        try (RawWsClient slow = new RawWsClient(server.port());
                WsTestClient fast = WsTestClient.connect(ws("/ws"))) {
            fast.next("init");
            // 20 MB in batches of 500: far more than socket buffers hold for the client that does not read,
            // while the client that reads never falls more than a batch behind (all 10,000 reach it).
            for (int batch = 1; batch <= 20; batch++) {
                for (int i = 0; i < 500; i++) {
                    server.server().hub().publish(new HubMessage("event", "METRICS", payload));
                }
                awaitMetrics(fast, 500);
            }

            assertThat(fast.closed).isNotDone();
            assertThat(slow.readUntilClosed()).isIn(1008, -1);
            assertThat(server.get("/metrics").body()).containsPattern("kimi_websocket_dropped_total\\S* [1-9]");
        }
    }

    /** Waits (20 s at most) for {@code count} METRICS events, skipping other messages; fails if they do not come. */
    private static void awaitMetrics(WsTestClient client, int count) {
        AtomicInteger got = new AtomicInteger();
        try {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10)).until(() -> {
                JsonNode m;
                while (got.get() < count && (m = client.messages.poll()) != null) {
                    if (m.path("event_type").asText().equals("METRICS")) {
                        got.incrementAndGet();
                    }
                }
                return got.get() >= count;
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("only " + got.get() + " of " + count + " METRICS events within 20 s; the client "
                    + "closed with " + client.closed.getNow(null) + " (" + client.closeReason + ")", e);
        }
    }

    @Test
    void foreignOriginsAreRefusedAndOwnOriginAccepted() {
        int port = server.port();
        assertThatThrownBy(() -> WsTestClient.connect(ws("/ws"), true, "http://evil.example:" + port))
                .hasRootCauseMessage("Unexpected HTTP response status code 403");
        try (WsTestClient own = WsTestClient.connect(ws("/ws"), true, "http://localhost:" + port)) {
            assertThat(own.next("init")).isNotNull();
        }
    }

    @Test
    void aConfiguredTokenIsNeededAsQueryParameter() {
        server.restart(s -> s.serverToml("auth_token = \"${FAKE_API_KEY}\""));

        assertThatThrownBy(() -> WsTestClient.connect(ws("/ws"))).hasRootCauseMessage(
                "Unexpected HTTP response status code 401");
        try (WsTestClient client = WsTestClient.connect(ws("/ws?token=" + KimiServerExtension.API_KEY))) {
            assertThat(client.next("init")).isNotNull();
        }
    }

    @Test
    void silentClientsAreClosedAfterTheIdleTimeout() throws Exception {
        server.restart(s -> s.serverToml("ws_idle_timeout_ms = 500"));

        try (WsTestClient quiet = WsTestClient.connect(ws("/ws"))) {
            assertThat(quiet.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1001);
            assertThat(quiet.closeReason).contains("idle");
        }
    }

    @Test
    void stoppingTheServerTellsClientsItIsGoingAway() throws Exception {
        try (WsTestClient client = WsTestClient.connect(ws("/ws"))) {
            client.next("init");

            server.stop();

            assertThat(client.closed.get(5, TimeUnit.SECONDS)).isEqualTo(1001);
            assertThat(client.closeReason).contains("server stopping");
        }
    }

    @Test
    void plainGetOnTheSocketPathIsNotAnUpgrade() {
        assertThat(server.get("/ws").statusCode()).isEqualTo(404);
        assertThat(Duration.ofSeconds(1)).isPositive();
    }
}
