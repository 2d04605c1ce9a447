package io.kimi.client;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.protocol.SubscriptionChange;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The dashboard's live WebSocket ({@code /ws}): events as they are stored, other live messages (metrics,
 * sessions, alerts, widgets), subscriptions, and {@code list_sessions} / {@code get_session} over the socket.
 *
 * <pre>{@code
 * WebSocketClient ws = WebSocketClient.builder("ws://127.0.0.1:8766/ws")
 *         .onEvent(e -> System.out.println(e.eventType() + " " + e.data()))
 *         .build();
 * ws.subscribe("*");
 * ws.connect();
 * ws.runForever();
 * }</pre>
 *
 * <p><b>Listeners.</b> What arrives goes to the {@link WebSocketListener}s given to the builder (or its
 * {@code onEvent}, {@code onMessage}... lambdas), one call at a time on the client's own thread; see
 * {@link WebSocketListener}.
 *
 * <p><b>Requests.</b> Each request carries a {@code request_id} that the dashboard echoes in its reply, so replies
 * are matched to their requests in whatever order they come. A dashboard from before request ids echoes none:
 * its replies are matched by their {@code request_action}, first in first out, and reads of the same kind are
 * sent one after another so they cannot be answered out of order. At most {@code maxPendingRequests} (default
 * 1,000) wait for their replies; one more fails at once. Returned futures fail with
 * {@link DashboardConnectionException} when the client is not connected, the connection drops, or no reply comes
 * within the request timeout (from a dashboard without request ids, the connection is then dropped and
 * re-established: a late reply would answer the wrong request); with {@link SessionNotFoundException} or
 * {@link ApiException} for an error reply. They complete on the thread that reads the socket: attach slow work
 * with the {@code ...Async} variants. Cancelling a future only stops waiting.
 *
 * <p><b>Connection.</b> {@link #connect()} fails with {@link DashboardConnectionException} when the first
 * connection cannot be made. Once connected, a lost connection is re-established with exponential backoff (with
 * jitter) and the subscriptions are restored before {@link WebSocketListener#onConnect} runs again. A ping goes
 * out every heartbeat interval; a connection that does not answer within it is dropped and re-established.
 * {@link #runForever()} blocks until {@link #close()}.
 *
 * <p>Thread-safe.
 */
public final class WebSocketClient implements AutoCloseable {
    private final URI uri;
    private final PendingReplies replies;
    private final LiveSubscriptions subscriptions;
    private final ReconnectingConnection connection;

    WebSocketClient(WebSocketSettings settings) {
        this.uri = settings.uri();
        ClientThread thread = new ClientThread();
        this.replies = new PendingReplies(uri, settings.requestTimeout(), settings.maxPendingRequests(),
                this::dropUnanswered);
        this.subscriptions = new LiveSubscriptions(replies, settings.initialSubscriptions());
        this.connection = new ReconnectingConnection(settings, thread,
                new ConnectionEvents(this, settings, thread, replies, subscriptions));
    }

    /** A builder for {@code uri}: {@code ws://host:port/ws} ({@code http://} works too; no path means {@code /ws}). */
    public static WebSocketClientBuilder builder(String uri) {
        return new WebSocketClientBuilder(uri);
    }

    /** The WebSocket address. */
    public URI uri() {
        return uri;
    }

    /** Whether a connection is open now. */
    public boolean isConnected() {
        return connection.isConnected();
    }

    /**
     * Opens the connection and restores the subscriptions made so far, then returns;
     * {@link WebSocketListener#onConnect} follows on the callback thread. Does nothing when already connected.
     *
     * @throws DashboardConnectionException when the dashboard cannot be reached (no retry: call again)
     * @throws IllegalStateException after {@link #close()}
     */
    public WebSocketClient connect() {
        connection.connect();
        return this;
    }

    /** Blocks until {@link #close()} (or, without reconnection, until the connection is lost). */
    public void runForever() throws InterruptedException {
        connection.awaitFinished();
    }

    /** Blocks until closed or {@code timeout} passes; whether it is closed. */
    public boolean awaitClosed(Duration timeout) throws InterruptedException {
        return connection.awaitFinished(timeout.toNanos());
    }

    /**
     * Subscribes to event types (e.g. {@code STEP_COMPLETE}) or message types ({@code event} for every event,
     * {@code metric}, {@code session}, {@code alert}, {@code widget}); {@code "*"} is everything. Until its first
     * subscription a connection receives everything. Kept across reconnections; before {@link #connect()}, only
     * recorded. The future gives the server's description of the subscriptions (e.g. {@code ["*","-metric"]}).
     */
    public CompletableFuture<List<String>> subscribe(String... names) {
        return subscribe(Arrays.asList(names));
    }

    /** As {@link #subscribe(String...)}. */
    public CompletableFuture<List<String>> subscribe(EventType... types) {
        return subscribe(Arrays.stream(types).map(EventType::name).toList());
    }

    /** As {@link #subscribe(String...)}. */
    public CompletableFuture<List<String>> subscribe(Collection<String> names) {
        return subscriptions.change(SubscriptionChange.SUBSCRIBE, checkNames(names));
    }

    /** Stops receiving these types; after {@code "*"}, excludes just them. Kept across reconnections. */
    public CompletableFuture<List<String>> unsubscribe(String... names) {
        return unsubscribe(Arrays.asList(names));
    }

    /** As {@link #unsubscribe(String...)}. */
    public CompletableFuture<List<String>> unsubscribe(EventType... types) {
        return unsubscribe(Arrays.stream(types).map(EventType::name).toList());
    }

    /** As {@link #unsubscribe(String...)}. */
    public CompletableFuture<List<String>> unsubscribe(Collection<String> names) {
        return subscriptions.change(SubscriptionChange.UNSUBSCRIBE, checkNames(names));
    }

    /** {@code list_sessions} over the socket: sessions of both kinds, newest first; limit 1-1000. */
    public CompletableFuture<SessionPage> listSessions(int limit, int offset) {
        return listSessions(limit, offset, null);
    }

    /** As {@link #listSessions(int, int)}, only {@code proxy} or {@code convergence} sessions ({@code null}: both). */
    public CompletableFuture<SessionPage> listSessions(int limit, int offset, String kind) {
        AsyncDashboardClient.checkPage(limit, offset);
        ObjectNode m = Json.MAPPER.createObjectNode().put("action", "list_sessions").put("limit", limit)
                .put("offset", offset);
        if (kind != null) {
            m.put("kind", kind);
        }
        return request("list_sessions", m, null, data -> Json.convert(data, SessionPage.class));
    }

    /** {@code get_session} over the socket; fails with {@link SessionNotFoundException} when there is none. */
    public CompletableFuture<Session> getSession(String sessionId) {
        String id = AsyncDashboardClient.checkId(sessionId);
        ObjectNode m = Json.MAPPER.createObjectNode().put("action", "get_session").put("session_id", id);
        return request("get_session", m, id, data -> Json.convert(data, Session.class));
    }

    /** {@code ping}: the server's time from its {@code pong}. The client also pings by itself (heartbeat). */
    public CompletableFuture<Instant> ping() {
        ObjectNode m = Json.MAPPER.createObjectNode().put("action", "ping");
        return request("ping", m, null, pong -> Instant.parse(pong.path("timestamp").asText()));
    }

    /**
     * Closes the connection (1000), stops reconnecting, fails the requests still waiting, tells the listeners'
     * {@link WebSocketListener#onDisconnect} if it was connected, and releases {@link #runForever()}. Idempotent.
     */
    @Override
    public void close() {
        connection.close();
    }

    private <T> CompletableFuture<T> request(String action, ObjectNode message, String sessionId,
            Function<JsonNode, T> parse) {
        CompletableFuture<JsonNode> reply = replies.send(action, message);
        if (reply == null) {
            return CompletableFuture.failedFuture(new DashboardConnectionException(connection.notConnected()));
        }
        return PendingReplies.parsed(reply, action, sessionId, parse);
    }

    private void dropUnanswered(LiveSocket socket, String reason) {
        connection.drop(socket, reason);
    }

    private static List<String> checkNames(Collection<String> names) {
        requireNonNull(names, "names");
        if (names.isEmpty()) {
            throw new IllegalArgumentException("names: empty (expected event or message types, or \"*\")");
        }
        List<String> list = List.copyOf(names);
        for (String n : list) {
            if (n.isBlank()) {
                throw new IllegalArgumentException("names: a blank name in " + list);
            }
        }
        return list;
    }
}
