package io.kimi.client;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p><b>Hooks.</b> {@link #onConnect()}, {@link #onEvent(Event)}, {@link #onMessage(LiveMessage)} and
 * {@link #onDisconnect(Disconnect)} can be overridden in a subclass (construct it with
 * {@link #WebSocketClient(String)} or {@link #WebSocketClient(Builder)}), or given as lambdas to the builder,
 * which the default implementations call. They run one at a time, in arrival order, on the client's own callback
 * thread, so they may block, and may call this client (even {@code join()} a request); a hook that throws is
 * logged and the client carries on. A slow hook delays later hooks, not the connection. {@link #onConnect()}
 * comes first for each connection: what the dashboard pushes before the subscriptions are restored ({@code
 * init}, and everything while a new connection still receives everything) waits, up to
 * {@value #EARLY_MESSAGES_LIMIT} messages (more are dropped and logged), and is delivered right after it.
 *
 * <p><b>Requests.</b> The protocol has no request ids: replies are matched to requests by their
 * {@code request_action}, first in first out, and reads of the same kind are sent one after another so they
 * cannot be answered out of order. Returned futures fail with {@link DashboardConnectionException} when the
 * client is not connected, the connection drops, or no reply comes within the request timeout (the connection
 * is then dropped and re-established: a late reply would answer the wrong request); with
 * {@link SessionNotFoundException} or {@link ApiException} for an error reply. They complete on the thread that
 * reads the socket: attach slow work with the {@code ...Async} variants. Cancelling a future only stops waiting.
 *
 * <p><b>Connection.</b> {@link #connect()} fails with {@link DashboardConnectionException} when the first
 * connection cannot be made. Once connected, a lost connection is re-established with exponential backoff (with
 * jitter) and the subscriptions are restored before {@link #onConnect()} runs again. A ping goes out every
 * heartbeat interval; a connection that does not answer within it is dropped and re-established.
 * {@link #runForever()} blocks until {@link #close()}.
 *
 * <p>Thread-safe.
 */
public class WebSocketClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebSocketClient.class);
    private static final AtomicInteger THREADS = new AtomicInteger();
    /** Messages a connection may hold back until its subscriptions are restored and {@link #onConnect()} ran. */
    static final int EARLY_MESSAGES_LIMIT = 1_000;

    private final URI uri;
    private final HttpClient http;
    private final String authToken;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final Duration heartbeatInterval;
    private final boolean reconnect;
    private final Duration reconnectInitial;
    private final Duration reconnectMax;
    private final Consumer<? super WebSocketClient> onConnectAction;
    private final Consumer<? super Event> onEventAction;
    private final Consumer<? super LiveMessage> onMessageAction;
    private final Consumer<? super Disconnect> onDisconnectAction;
    /** One thread: the hooks, in order, and the reconnection and heartbeat timers. */
    private final ScheduledThreadPoolExecutor callbacks;
    private final CountDownLatch closedLatch = new CountDownLatch(1);

    private final Object lock = new Object();
    private final SubscriptionState subscriptions = new SubscriptionState();
    private final Map<String, Deque<Pending>> pending = new HashMap<>();
    private Connection current;
    private boolean connecting;
    private boolean started;
    private boolean closed;
    private int attempts;
    private ScheduledFuture<?> heartbeat;

    /** A client of {@code uri} with the defaults; for subclasses that override the hooks. */
    protected WebSocketClient(String uri) {
        this(builder(uri));
    }

    /** A client configured by {@code builder}; for subclasses that override the hooks. */
    protected WebSocketClient(Builder builder) {
        requireNonNull(builder, "builder");
        this.uri = builder.uri;
        this.authToken = builder.authToken;
        this.connectTimeout = builder.connectTimeout;
        this.requestTimeout = builder.requestTimeout;
        this.heartbeatInterval = builder.heartbeatInterval;
        this.reconnect = builder.reconnect;
        this.reconnectInitial = builder.reconnectInitial;
        this.reconnectMax = builder.reconnectMax;
        this.onConnectAction = builder.onConnect;
        this.onEventAction = builder.onEvent;
        this.onMessageAction = builder.onMessage;
        this.onDisconnectAction = builder.onDisconnect;
        HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(connectTimeout);
        if (builder.executor != null) {
            http.executor(builder.executor);
        }
        this.http = http.build();
        Dependencies.require();
        int id = THREADS.incrementAndGet();
        this.callbacks = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "kimi-ws-client-" + id);
            t.setDaemon(true);
            return t;
        });
        callbacks.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        callbacks.setRemoveOnCancelPolicy(true);
        if (!builder.initialSubscriptions.isEmpty()) {
            subscriptions.subscribe(builder.initialSubscriptions);
        }
    }

    /** A builder for {@code uri}: {@code ws://host:port/ws} ({@code http://} works too; no path means {@code /ws}). */
    public static Builder builder(String uri) {
        return new Builder(uri);
    }

    /** The WebSocket address. */
    public URI uri() {
        return uri;
    }

    /** Whether a connection is open now. */
    public boolean isConnected() {
        synchronized (lock) {
            return current != null;
        }
    }

    /**
     * Opens the connection and restores the subscriptions made so far, then returns; {@link #onConnect()} follows
     * on the callback thread. Does nothing when already connected.
     *
     * @throws DashboardConnectionException when the dashboard cannot be reached (no retry: call again)
     * @throws IllegalStateException after {@link #close()}
     */
    public WebSocketClient connect() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("closed");
            }
            if (started) {
                return this;
            }
            if (connecting) {
                throw new IllegalStateException("connect() is already running in another thread");
            }
            connecting = true;
        }
        try {
            Connection connection = open().get(connectTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            CompletableFuture<Void> restored;
            synchronized (lock) {
                started = true;
                restored = opened(connection);
            }
            // Each restore fails by itself within the request timeout (see enqueue); this wait is a backstop.
            DashboardClient.await(restored.copy(), requestTimeout.plus(DashboardClient.AWAIT_MARGIN));
            return this;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DashboardConnectionException("interrupted while connecting to " + uri, e);
        } catch (TimeoutException e) {
            throw new DashboardConnectionException("connecting to " + uri + " timed out", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new DashboardConnectionException("cannot connect to " + uri + ": " + Rest.describe(Rest.unwrap(e)),
                    Rest.unwrap(e));
        } finally {
            synchronized (lock) {
                connecting = false;
            }
        }
    }

    /** Blocks until {@link #close()} (or, without reconnection, until the connection is lost). */
    public void runForever() throws InterruptedException {
        closedLatch.await();
    }

    /** Blocks until closed or {@code timeout} passes; whether it is closed. */
    public boolean awaitClosed(Duration timeout) throws InterruptedException {
        return closedLatch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
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
        return subscription("subscribe", names);
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
        return subscription("unsubscribe", names);
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
     * Closes the connection (1000), stops reconnecting, fails the requests still waiting, runs
     * {@link #onDisconnect(Disconnect)} if it was connected, and releases {@link #runForever()}. Idempotent.
     */
    @Override
    public void close() {
        Connection connection;
        List<Pending> failed;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            connection = current;
            current = null;
            failed = drainPending();
            stopHeartbeat();
        }
        failAll(failed, "the client was closed");
        if (connection != null) {
            connection.close();
            dispatch(() -> onDisconnect(new Disconnect(WebSocket.NORMAL_CLOSURE, "closed by the client", null,
                    false)));
        }
        callbacks.execute(closedLatch::countDown);
        callbacks.shutdown();
    }

    // ---- hooks ----

    /**
     * Runs after each connection (the first and every reconnection), once the subscriptions are restored. By
     * default calls the builder's {@code onConnect} action.
     */
    protected void onConnect() {
        if (onConnectAction != null) {
            onConnectAction.accept(this);
        }
    }

    /** Runs for each {@code event} message. By default calls the builder's {@code onEvent} action. */
    protected void onEvent(Event event) {
        if (onEventAction != null) {
            onEventAction.accept(event);
        }
    }

    /**
     * Runs for each other live message ({@code init}, {@code metric}, {@code session}, {@code alert},
     * {@code widget}, ...). By default calls the builder's {@code onMessage} action.
     */
    protected void onMessage(LiveMessage message) {
        if (onMessageAction != null) {
            onMessageAction.accept(message);
        }
    }

    /** Runs when a connection is lost or closed. By default calls the builder's {@code onDisconnect} action. */
    protected void onDisconnect(Disconnect disconnect) {
        if (onDisconnectAction != null) {
            onDisconnectAction.accept(disconnect);
        }
    }

    // ---- connection ----

    private CompletableFuture<Connection> open() {
        Connection connection = new Connection();
        WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(connectTimeout);
        if (authToken != null) {
            b.header("Authorization", "Bearer " + authToken);
        }
        try {
            return b.buildAsync(uri, connection).thenApply(ws -> {
                connection.ws = ws;
                return connection;
            });
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The connection is open: make it current and restore the subscriptions. Holds the lock. */
    private CompletableFuture<Void> opened(Connection connection) {
        current = connection;
        attempts = 0;
        List<CompletableFuture<JsonNode>> restores = new ArrayList<>();
        for (SubscriptionState.Op op : subscriptions.replay()) {
            restores.add(enqueue(connection, op.action(), subscriptionMessage(op.action(), op.names())));
        }
        startHeartbeat(connection);
        CompletableFuture<Void> restored = CompletableFuture.allOf(restores.toArray(CompletableFuture[]::new));
        restored.whenComplete((v, e) -> {
            synchronized (lock) {
                if (e == null) {
                    dispatch(this::onConnect);
                } else {
                    log.warn("Restoring the subscriptions on {} failed: {}", uri, Rest.unwrap(e).toString());
                }
                connection.ready(this::dispatch);
            }
        });
        return restored;
    }

    /** A connection dropped (or a stale one reports its end: ignored). */
    private void lost(Connection connection, int status, String reason, Throwable error) {
        List<Pending> failed;
        boolean willReconnect;
        synchronized (lock) {
            if (connection != current) {
                return;
            }
            current = null;
            failed = drainPending();
            stopHeartbeat();
            willReconnect = !closed && reconnect;
            if (!willReconnect) {
                closed = true;
            }
        }
        log.info("Connection to {} lost ({} {}){}", uri, status, reason, willReconnect ? "; reconnecting" : "");
        failAll(failed, "the connection was lost (" + status + " " + reason + ")");
        connection.abort();
        Disconnect d = new Disconnect(status, reason, error, willReconnect);
        dispatch(() -> onDisconnect(d));
        if (willReconnect) {
            scheduleReconnect();
        } else {
            callbacks.execute(closedLatch::countDown);
            callbacks.shutdown();
        }
    }

    private void scheduleReconnect() {
        long delay;
        synchronized (lock) {
            if (closed) {
                return;
            }
            int n = Math.min(attempts++, 20);
            long max = reconnectMax.toMillis();
            long base = Math.min(max, reconnectInitial.toMillis() << n);
            delay = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
        }
        try {
            callbacks.schedule(this::reconnect, delay, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("Not reconnecting: the client is closed");
        }
    }

    private void reconnect() {
        synchronized (lock) {
            if (closed || current != null) {
                return;
            }
        }
        open().whenComplete((connection, error) -> {
            if (error != null) {
                log.debug("Reconnecting to {} failed: {}", uri, Rest.unwrap(error).toString());
                scheduleReconnect();
                return;
            }
            synchronized (lock) {
                if (!closed && current == null) {
                    opened(connection);
                    log.info("Reconnected to {}", uri);
                    return;
                }
            }
            connection.close();
        });
    }

    private void startHeartbeat(Connection connection) {
        if (heartbeatInterval.isZero()) {
            return;
        }
        long every = heartbeatInterval.toMillis();
        heartbeat = callbacks.scheduleWithFixedDelay(() -> {
            CompletableFuture<JsonNode> pong;
            synchronized (lock) {
                if (current != connection) {
                    return;
                }
                pong = enqueue(connection, "ping", Json.MAPPER.createObjectNode().put("action", "ping"));
            }
            pong.orTimeout(every, TimeUnit.MILLISECONDS).whenComplete((p, e) -> {
                if (e != null && Rest.unwrap(e) instanceof TimeoutException) {
                    lost(connection, 1006, "no pong within " + every + " ms", null);
                }
            });
        }, every, every, TimeUnit.MILLISECONDS);
    }

    private void stopHeartbeat() {
        if (heartbeat != null) {
            heartbeat.cancel(false);
            heartbeat = null;
        }
    }

    // ---- requests ----

    /** Reads that the server answers asynchronously: one of each kind in flight, so replies stay in order. */
    private static boolean oneAtATime(String action) {
        return action.equals("list_sessions") || action.equals("get_session");
    }

    private CompletableFuture<List<String>> subscription(String action, Collection<String> names) {
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
        synchronized (lock) {
            if (action.equals("subscribe")) {
                subscriptions.subscribe(list);
            } else {
                subscriptions.unsubscribe(list);
            }
            if (current == null) {
                return CompletableFuture.completedFuture(subscriptions.describe());
            }
        }
        return request(action, subscriptionMessage(action, list), null, WebSocketClient::subscribed);
    }

    private static ObjectNode subscriptionMessage(String action, List<String> names) {
        ObjectNode m = Json.MAPPER.createObjectNode().put("action", action);
        names.forEach(m.putArray("events")::add);
        return m;
    }

    private static List<String> subscribed(JsonNode data) {
        List<String> out = new ArrayList<>();
        data.path("subscribed").forEach(n -> out.add(n.asText()));
        return List.copyOf(out);
    }

    private <T> CompletableFuture<T> request(String action, ObjectNode message, String sessionId,
            Function<JsonNode, T> parse) {
        CompletableFuture<JsonNode> reply;
        synchronized (lock) {
            if (current == null) {
                return CompletableFuture.failedFuture(new DashboardConnectionException(closed
                        ? "the client is closed" : "not connected to " + uri + (started ? " (reconnecting)" : "")));
            }
            reply = enqueue(current, action, message);
        }
        // Completes when the reply does: a reply, an error reply, its deadline, the connection's loss or close().
        CompletableFuture<T> out = new CompletableFuture<>();
        reply.whenComplete((data, error) -> {
            if (error != null) {
                Throwable e = Rest.unwrap(error);
                if (e instanceof SessionNotFoundException && sessionId != null) {
                    e = new SessionNotFoundException(0, sessionId, ((ApiException) e).serverMessage());
                }
                out.completeExceptionally(e);
                return;
            }
            try {
                out.complete(parse.apply(data));
            } catch (RuntimeException e) {
                out.completeExceptionally(e instanceof DashboardException ? e
                        : new DashboardException("unexpected " + action + " reply: " + e, e));
            }
        });
        return out;
    }

    /**
     * Queues a request for its reply and sends it (or, for a read, once the one before it is answered). Holds the
     * lock. The reply waits at most the request timeout: then it fails, and the connection is dropped and
     * re-established, since replies carry no request id and a late one would answer the wrong request, and the
     * reads queued behind it would wait for ever.
     */
    private CompletableFuture<JsonNode> enqueue(Connection connection, String action, ObjectNode message) {
        Pending p = new Pending(action, Json.write(message), new CompletableFuture<>());
        Deque<Pending> queue = pending.computeIfAbsent(action, a -> new ArrayDeque<>());
        queue.add(p);
        if (!oneAtATime(action) || queue.size() == 1) {
            connection.send(p.text);
        }
        long ms = requestTimeout.toMillis();
        Deadlines.failAfter(p.reply, requestTimeout,
                () -> new DashboardConnectionException("no reply to " + action + " from " + uri + " within " + ms
                        + " ms"),
                () -> unanswered(connection, p, ms));
        return p.reply;
    }

    /** A request's deadline passed with no reply: drops its connection unless that is already gone. */
    private void unanswered(Connection connection, Pending p, long ms) {
        try {
            boolean waiting;
            synchronized (lock) {
                Deque<Pending> queue = pending.get(p.action);
                waiting = connection == current && queue != null && queue.contains(p);
            }
            if (waiting) {
                lost(connection, 1006, "no reply to " + p.action + " within " + ms + " ms", null);
            }
        } catch (RuntimeException e) {
            log.error("Dropping the connection to {} after an unanswered {} failed", uri, p.action, e);
        }
    }

    /** The reply to the oldest request of {@code action}: {@code data}, or {@code error}. */
    private void answer(Connection connection, String action, JsonNode data, DashboardException error) {
        Pending p;
        synchronized (lock) {
            if (connection != current) {
                return;
            }
            Deque<Pending> queue = pending.get(action);
            p = queue == null ? null : queue.poll();
            Pending next = queue == null ? null : queue.peek();
            if (p != null && next != null && oneAtATime(action)) {
                connection.send(next.text);
            }
        }
        if (p == null) {
            log.debug("A {} reply from {} matched no request", action, uri);
        } else if (error != null) {
            p.reply.completeExceptionally(error);
        } else {
            p.reply.complete(data);
        }
    }

    private List<Pending> drainPending() {
        List<Pending> all = new ArrayList<>();
        pending.values().forEach(all::addAll);
        pending.clear();
        return all;
    }

    private void failAll(List<Pending> requests, String why) {
        for (Pending p : requests) {
            p.reply.completeExceptionally(new DashboardConnectionException("no reply to " + p.action + ": " + why));
        }
    }

    // ---- incoming ----

    private void received(Connection connection, String text) {
        JsonNode m;
        try {
            m = Json.MAPPER.readTree(text);
        } catch (Exception e) {
            log.warn("Ignoring a message from {} that is not JSON: {}", uri, e.toString());
            return;
        }
        String type = m.path("type").asText("");
        switch (type) {
            case "event":
                Event event;
                try {
                    event = Json.convert(m, Event.class);
                } catch (DashboardException e) {
                    log.warn("Ignoring an event from {} that cannot be read: {}", uri, e.getMessage());
                    return;
                }
                if (wanted("event", event.eventType().name())) {
                    deliver(connection, () -> onEvent(event));
                }
                return;
            case "response":
                answer(connection, m.path("request_action").asText(""), m.path("data"), null);
                return;
            case "pong":
                answer(connection, "ping", m, null);
                return;
            case "error":
                String action = m.path("request_action").isTextual() ? m.path("request_action").asText() : null;
                String code = m.path("code").asText("error");
                String message = m.path("message").asText("");
                if (action != null) {
                    answer(connection, action, null, code.equals("session_not_found")
                            ? new SessionNotFoundException(0, null, message) : new ApiException(0, code, message));
                    return;
                }
                log.warn("The dashboard at {} reported an error: {} {}", uri, code, message);
                break;
            case "init":
                break;
            default:
                if (!wanted(type, type)) {
                    return;
                }
                break;
        }
        LiveMessage live = new LiveMessage(type, m);
        deliver(connection, () -> onMessage(live));
    }

    /**
     * Runs a hook for a pushed message on the callback thread, or, while the connection's subscriptions are not
     * restored yet, holds it back until {@link #onConnect()} has been dispatched.
     */
    private void deliver(Connection connection, Runnable hook) {
        synchronized (lock) {
            if (connection.holdBack(hook)) {
                return;
            }
        }
        dispatch(hook);
    }

    /**
     * Whether the subscriptions want a pushed message. The server filters too; this also drops what a new
     * connection receives before its subscriptions are restored.
     */
    private boolean wanted(String type, String topic) {
        synchronized (lock) {
            return subscriptions.wants(type, topic);
        }
    }

    private void dispatch(Runnable hook) {
        try {
            callbacks.execute(() -> {
                try {
                    hook.run();
                } catch (RuntimeException | Error e) {
                    // Not rethrown: the executor would keep it in a future nobody reads.
                    log.error("A WebSocketClient hook failed; the client carries on", e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("Dropping a hook call: the client is closed");
        }
    }

    private static final class Pending {
        final String action;
        final String text;
        final CompletableFuture<JsonNode> reply;

        Pending(String action, String text, CompletableFuture<JsonNode> reply) {
            this.action = action;
            this.text = text;
            this.reply = reply;
        }
    }

    /** One WebSocket connection and its listener. */
    private final class Connection implements WebSocket.Listener {
        volatile WebSocket ws;
        private final StringBuilder partial = new StringBuilder();
        private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);
        /** Guarded by the client's lock: whether onConnect was dispatched, and what waits for it until then. */
        private boolean ready;
        private final List<Runnable> early = new ArrayList<>();
        private long earlyDropped;

        /** Holds a hook back while not ready (dropping it past the limit); whether it was held back. */
        boolean holdBack(Runnable hook) {
            if (ready) {
                return false;
            }
            if (early.size() < EARLY_MESSAGES_LIMIT) {
                early.add(hook);
            } else if (earlyDropped++ == 0) {
                log.warn("More than {} messages from {} arrived before its subscriptions were restored;"
                        + " dropping the rest until they are", EARLY_MESSAGES_LIMIT, uri);
            }
            return true;
        }

        /** Ready: what was held back goes to {@code dispatch}, in order; later messages go straight there. */
        void ready(Consumer<Runnable> dispatch) {
            ready = true;
            early.forEach(dispatch);
            early.clear();
            if (earlyDropped > 0) {
                log.warn("Dropped {} messages from {} that arrived before its subscriptions were restored",
                        earlyDropped, uri);
            }
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            this.ws = webSocket;
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                try {
                    received(this, text);
                } catch (RuntimeException e) {
                    log.error("Handling a message from {} failed", uri, e);
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            lost(this, statusCode, reason, null);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            lost(this, 1006, Rest.describe(error), error);
        }

        /** Sends in order: the JDK allows one outstanding send at a time. */
        void send(String text) {
            synchronized (this) {
                sending = sending.handle((v, e) -> null).thenCompose(v -> ws.sendText(text, true))
                        .whenComplete((v, e) -> {
                            if (e != null) {
                                lost(this, 1006, "sending failed: " + Rest.describe(Rest.unwrap(e)), e);
                            }
                        });
            }
        }

        void close() {
            WebSocket w = ws;
            if (w == null) {
                return;
            }
            synchronized (this) {
                sending = sending.handle((v, e) -> null)
                        .thenCompose(v -> w.sendClose(WebSocket.NORMAL_CLOSURE, "bye"))
                        .orTimeout(2, TimeUnit.SECONDS)
                        .whenComplete((v, e) -> {
                            if (e != null) {
                                w.abort();
                            }
                        });
            }
        }

        void abort() {
            WebSocket w = ws;
            if (w != null && !w.isOutputClosed()) {
                w.abort();
            }
        }
    }

    /**
     * Configures a {@link WebSocketClient}. Defaults: connect timeout 10 s, request timeout 30 s, heartbeat every
     * 30 s, reconnection on with backoff from 250 ms doubling up to 30 s, no access token, no subscriptions
     * (everything is received).
     */
    public static class Builder {
        private final URI uri;
        private String authToken;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration heartbeatInterval = Duration.ofSeconds(30);
        private boolean reconnect = true;
        private Duration reconnectInitial = Duration.ofMillis(250);
        private Duration reconnectMax = Duration.ofSeconds(30);
        private Executor executor;
        private Consumer<? super WebSocketClient> onConnect;
        private Consumer<? super Event> onEvent;
        private Consumer<? super LiveMessage> onMessage;
        private Consumer<? super Disconnect> onDisconnect;
        private final List<String> initialSubscriptions = new ArrayList<>();

        protected Builder(String uri) {
            this.uri = webSocketUri(requireNonNull(uri, "uri"));
        }

        private static URI webSocketUri(String text) {
            URI u = URI.create(text);
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(java.util.Locale.ROOT);
            switch (scheme) {
                case "ws":
                case "wss":
                    break;
                case "http":
                    scheme = "ws";
                    break;
                case "https":
                    scheme = "wss";
                    break;
                default:
                    throw new IllegalArgumentException("uri: " + text + " (expected: ws://host:port/ws)");
            }
            if (u.getHost() == null) {
                throw new IllegalArgumentException("uri: " + text + " (expected: ws://host:port/ws)");
            }
            String path = u.getRawPath() == null || u.getRawPath().isEmpty() || u.getRawPath().equals("/") ? "/ws"
                    : u.getRawPath();
            return URI.create(scheme + "://" + u.getRawAuthority() + path
                    + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery()));
        }

        /** The server's access token ({@code KIMI_AUTH_TOKEN}), sent as {@code Authorization: Bearer}. */
        public Builder authToken(String value) {
            this.authToken = requireNonNull(value, "authToken");
            return this;
        }

        public Builder connectTimeout(Duration value) {
            this.connectTimeout = DashboardClient.Builder.positive(value, "connectTimeout");
            return this;
        }

        /** How long a request ({@code list_sessions}, {@code subscribe}, ...) waits for its reply. */
        public Builder requestTimeout(Duration value) {
            this.requestTimeout = DashboardClient.Builder.positive(value, "requestTimeout");
            return this;
        }

        /**
         * How often to ping (the server closes connections silent for 120 s by default); a ping unanswered for
         * this long drops the connection. {@link Duration#ZERO} turns the heartbeat off.
         */
        public Builder heartbeatInterval(Duration value) {
            requireNonNull(value, "heartbeatInterval");
            if (value.isNegative()) {
                throw new IllegalArgumentException("heartbeatInterval: " + value + " (expected: 0 or more)");
            }
            this.heartbeatInterval = value;
            return this;
        }

        /** Whether to reconnect after a lost connection (default true). */
        public Builder reconnect(boolean value) {
            this.reconnect = value;
            return this;
        }

        /** The first wait before reconnecting, doubled at each failed attempt up to {@code max} (with jitter). */
        public Builder reconnectBackoff(Duration initial, Duration max) {
            this.reconnectInitial = DashboardClient.Builder.positive(initial, "initial");
            this.reconnectMax = DashboardClient.Builder.positive(max, "max");
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("max: " + max + " (expected: at least initial, " + initial + ")");
            }
            return this;
        }

        /** Runs the JDK HTTP client's asynchronous work (not the hooks, which have their own thread). */
        public Builder executor(Executor value) {
            this.executor = requireNonNull(value, "executor");
            return this;
        }

        /** Subscriptions made on every connection, as {@link WebSocketClient#subscribe(String...)}. */
        public Builder subscribe(String... names) {
            for (String n : names) {
                initialSubscriptions.add(requireNonNull(n, "name"));
            }
            return this;
        }

        /** Called after each connection with the client (see {@link WebSocketClient#onConnect()}). */
        public Builder onConnect(Consumer<? super WebSocketClient> action) {
            this.onConnect = requireNonNull(action, "action");
            return this;
        }

        /** Called for each event. */
        public Builder onEvent(Consumer<? super Event> action) {
            this.onEvent = requireNonNull(action, "action");
            return this;
        }

        /** Called for each other live message ({@code init}, {@code metric}, {@code session}, {@code widget}...). */
        public Builder onMessage(Consumer<? super LiveMessage> action) {
            this.onMessage = requireNonNull(action, "action");
            return this;
        }

        /** Called when a connection is lost or closed. */
        public Builder onDisconnect(Consumer<? super Disconnect> action) {
            this.onDisconnect = requireNonNull(action, "action");
            return this;
        }

        /** A new, unconnected client. */
        public WebSocketClient build() {
            return new WebSocketClient(this);
        }
    }
}
