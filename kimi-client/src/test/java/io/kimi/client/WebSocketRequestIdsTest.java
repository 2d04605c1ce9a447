package io.kimi.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.testing.FakeConvergenceLoop;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How {@link WebSocketClient} matches replies to requests, against a real WebSocket server on loopback that the
 * test scripts (the fake loop records what the client sends and sends what the test tells it): a server that
 * echoes {@code request_id} and answers in any order, one from before request ids (first in first out per
 * action), one that stays silent, and one that sends a message over the size limit.
 */
class WebSocketRequestIdsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);

    FakeConvergenceLoop server;
    final BlockingQueue<Disconnect> disconnects = new LinkedBlockingQueue<>();
    final Semaphore connects = new Semaphore(0);

    @BeforeEach
    void start() {
        server = FakeConvergenceLoop.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private WebSocketClientBuilder client() {
        return WebSocketClient.builder(server.url()).heartbeatInterval(Duration.ZERO).requestTimeout(WAIT)
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200))
                .onConnect(c -> connects.release()).onDisconnect(disconnects::add);
    }

    @Test
    void repliesInReverseOrderAreMatchedByTheirRequestIds() throws Exception {
        try (WebSocketClient ws = client().build().connect()) {
            CompletableFuture<SessionPage> list = ws.listSessions(5, 0);
            CompletableFuture<Session> got = ws.getSession("sess-a");
            String listId = requestId(sent("list_sessions", null));
            String getId = requestId(sent("get_session", "sess-a"));
            assertThat(listId).isNotEqualTo(getId);

            server.send(response("get_session", getId, session("sess-a")));
            server.send(response("list_sessions", listId, page(7)));
            assertThat(got.get(WAIT.toSeconds(), TimeUnit.SECONDS).sessionId()).isEqualTo("sess-a");
            assertThat(list.get(WAIT.toSeconds(), TimeUnit.SECONDS).total()).isEqualTo(7);

            // The server echoes ids: two reads of one kind go out together and are answered the other way round.
            CompletableFuture<Session> x = ws.getSession("sess-x");
            CompletableFuture<Session> y = ws.getSession("sess-y");
            String xId = requestId(sent("get_session", "sess-x"));
            String yId = requestId(sent("get_session", "sess-y"));
            server.send(response("get_session", yId, session("sess-y")));
            server.send(response("get_session", xId, session("sess-x")));
            assertThat(y.get(WAIT.toSeconds(), TimeUnit.SECONDS).sessionId()).isEqualTo("sess-y");
            assertThat(x.get(WAIT.toSeconds(), TimeUnit.SECONDS).sessionId()).isEqualTo("sess-x");
            assertThat(server.handshakes()).isEqualTo(1);
        }
    }

    @Test
    void aServerWithoutRequestIdsIsAnsweredFirstInFirstOutPerAction() throws Exception {
        try (WebSocketClient ws = client().build().connect()) {
            CompletableFuture<Session> a = ws.getSession("old-a");
            CompletableFuture<Session> b = ws.getSession("old-b");
            CompletableFuture<Instant> pong = ws.ping();
            CompletableFuture<SessionPage> list = ws.listSessions(3, 0);
            sent("get_session", "old-a");
            sent("list_sessions", null);
            // Sent after old-b was asked for, so old-b would have arrived first had it been sent: it waits for the
            // reply to old-a, since a server without ids could answer two reads of one kind out of order.
            assertThat(server.received()).noneMatch(text -> text.contains("old-b"));

            server.send("{\"type\":\"pong\",\"timestamp\":\"2026-01-02T03:04:05Z\"}");
            server.send(response("list_sessions", null, page(3)));
            server.send("{\"type\":\"error\",\"request_action\":\"get_session\",\"code\":\"session_not_found\","
                    + "\"message\":\"Session 'old-a' does not exist.\"}");
            assertThat(pong.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .isEqualTo(Instant.parse("2026-01-02T03:04:05Z"));
            assertThat(list.get(WAIT.toSeconds(), TimeUnit.SECONDS).total()).isEqualTo(3);
            assertThatThrownBy(() -> a.get(WAIT.toSeconds(), TimeUnit.SECONDS)).cause()
                    .isInstanceOfSatisfying(SessionNotFoundException.class,
                            e -> assertThat(e.sessionId()).isEqualTo("old-a"));

            sent("get_session", "old-b");
            server.send(response("get_session", null, session("old-b")));
            assertThat(b.get(WAIT.toSeconds(), TimeUnit.SECONDS).sessionId()).isEqualTo("old-b");
        }
    }

    @Test
    void aLateReplyFromAServerWithIdsIsDroppedAndTheConnectionKept() throws Exception {
        try (WebSocketClient ws = client().requestTimeout(Duration.ofSeconds(3)).build().connect()) {
            CompletableFuture<Instant> ping = ws.ping();
            server.send("{\"request_id\":\"" + requestId(sent("ping", null))
                    + "\",\"type\":\"pong\",\"timestamp\":\"2026-01-02T03:04:05Z\"}");
            assertThat(ping.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotNull();

            CompletableFuture<Session> slow = ws.getSession("slow");
            String slowId = requestId(sent("get_session", "slow"));
            assertThatThrownBy(() -> slow.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOf(DashboardConnectionException.class).hasMessageContaining("no reply to get_session");

            server.send(response("get_session", slowId, session("slow"))); // late: matches nothing
            CompletableFuture<Session> quick = ws.getSession("quick");
            server.send(response("get_session", requestId(sent("get_session", "quick")), session("quick")));
            assertThat(quick.get(WAIT.toSeconds(), TimeUnit.SECONDS).sessionId()).isEqualTo("quick");
            assertThat(server.handshakes()).as("the connection was kept").isEqualTo(1);
            assertThat(disconnects).isEmpty();
        }
    }

    @Test
    void requestsWaitingForRepliesAreCappedAndAllFailWhenTheConnectionDrops() throws Exception {
        try (WebSocketClient ws = client().maxPendingRequests(3).build().connect()) {
            assertThat(connects.tryAcquire(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            List<CompletableFuture<?>> waiting = List.of(ws.listSessions(5, 0), ws.getSession("s"), ws.ping());
            assertThatThrownBy(() -> ws.ping().get(WAIT.toSeconds(), TimeUnit.SECONDS)).cause()
                    .isInstanceOf(DashboardConnectionException.class)
                    .hasMessageContaining("too many requests waiting for their replies")
                    .hasMessageContaining("maxPendingRequests");
            sent("ping", null);

            server.disconnectClients();
            for (CompletableFuture<?> f : waiting) {
                assertThatThrownBy(() -> f.get(WAIT.toSeconds(), TimeUnit.SECONDS)).cause()
                        .isInstanceOf(DashboardConnectionException.class)
                        .hasMessageContaining("the connection was lost");
            }
            assertThat(disconnects.poll(WAIT.toSeconds(), TimeUnit.SECONDS).willReconnect()).isTrue();

            assertThat(connects.tryAcquire(WAIT.toSeconds(), TimeUnit.SECONDS)).as("reconnected").isTrue();
            CompletableFuture<Instant> again = ws.ping();
            await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).alias("a ping after the reconnection is sent")
                    .until(() -> server.received().stream().filter(t -> t.contains("\"ping\"")).count() == 2);
            assertThat(again).isNotDone();
        }
    }

    @Test
    void aMessageOverTheSizeLimitDropsTheConnectionWhichIsReestablished() throws Exception {
        try (WebSocketClient ws = client().maxMessageChars(1024).build().connect()) {
            assertThat(connects.tryAcquire(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            server.send("{\"type\":\"metric\",\"data\":{\"pad\":\"" + "x".repeat(2000) + "\"}}");
            Disconnect d = disconnects.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(d).isNotNull();
            assertThat(d.statusCode()).isEqualTo(1009);
            assertThat(d.reason()).contains("1024 characters");
            assertThat(d.willReconnect()).isTrue();
            assertThat(connects.tryAcquire(WAIT.toSeconds(), TimeUnit.SECONDS)).as("reconnected").isTrue();
            assertThat(server.awaitHandshakes(2, WAIT)).isTrue();
        }
    }

    /** Waits until the server has received the {@code action} message (naming {@code marker}, if given). */
    private JsonNode sent(String action, String marker) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20))
                .alias("the server receives " + action + (marker == null ? "" : " " + marker)).until(() -> {
                    for (String text : server.received()) {
                        JsonNode m = JSON.readTree(text);
                        if (m.path("action").asText().equals(action)
                                && (marker == null || text.contains(marker))) {
                            found[0] = m;
                            return true;
                        }
                    }
                    return false;
                });
        return found[0];
    }

    private static String requestId(JsonNode message) {
        assertThat(message.path("request_id").isTextual()).as("request_id in %s", message).isTrue();
        return message.path("request_id").asText();
    }

    /** A {@code response}; without {@code request_id} when {@code id} is {@code null}, as older servers send. */
    private static String response(String action, String id, JsonNode data) {
        ObjectNode n = JSON.createObjectNode().put("type", "response").put("request_action", action);
        if (id != null) {
            n.put("request_id", id);
        }
        n.set("data", data);
        return n.toString();
    }

    private static JsonNode session(String id) {
        return JSON.createObjectNode().put("session_id", id).put("kind", "convergence").put("status", "running");
    }

    private static JsonNode page(int total) {
        ObjectNode n = JSON.createObjectNode().put("total", total).put("limit", 5).put("offset", 0);
        n.putArray("sessions");
        return n;
    }
}
