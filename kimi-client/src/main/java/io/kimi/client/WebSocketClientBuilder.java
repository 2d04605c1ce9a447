package io.kimi.client;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Configures a {@link WebSocketClient}; from {@link WebSocketClient#builder(String)}. Defaults: connect timeout
 * 10 s, request timeout 30 s, at most 1,000 requests waiting for their replies, messages up to 16 Mi characters,
 * heartbeat every 30 s, reconnection on with backoff from 250 ms doubling up to 30 s, no access token, no
 * subscriptions (everything is received), no listener.
 */
public final class WebSocketClientBuilder {
    private final URI uri;
    private String authToken;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(30);
    private Duration heartbeatInterval = Duration.ofSeconds(30);
    private boolean reconnect = true;
    private Duration reconnectInitial = Duration.ofMillis(250);
    private Duration reconnectMax = Duration.ofSeconds(30);
    private int maxPendingRequests = 1_000;
    private int maxMessageChars = 16 << 20;
    private Executor executor;
    private final List<WebSocketListener> listeners = new ArrayList<>();
    private final List<String> initialSubscriptions = new ArrayList<>();

    WebSocketClientBuilder(String uri) {
        this.uri = webSocketUri(requireNonNull(uri, "uri"));
    }

    /** {@code ws://host:port/ws}; {@code http(s)://} becomes {@code ws(s)://}, and no path means {@code /ws}. */
    private static URI webSocketUri(String text) {
        URI u = URI.create(text);
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
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
    public WebSocketClientBuilder authToken(String value) {
        this.authToken = requireNonNull(value, "authToken");
        return this;
    }

    public WebSocketClientBuilder connectTimeout(Duration value) {
        this.connectTimeout = DashboardClient.Builder.positive(value, "connectTimeout");
        return this;
    }

    /** How long a request ({@code list_sessions}, {@code subscribe}, ...) waits for its reply. */
    public WebSocketClientBuilder requestTimeout(Duration value) {
        this.requestTimeout = DashboardClient.Builder.positive(value, "requestTimeout");
        return this;
    }

    /**
     * How many requests may wait for their replies at once (default 1,000); one more fails at once with a
     * {@link DashboardConnectionException}.
     */
    public WebSocketClientBuilder maxPendingRequests(int value) {
        if (value < 1) {
            throw new IllegalArgumentException("maxPendingRequests: " + value + " (expected: at least 1)");
        }
        this.maxPendingRequests = value;
        return this;
    }

    /**
     * The longest message the client takes, in characters (default 16 Mi); a longer one drops the connection
     * (reported as a {@link Disconnect} with status 1009), which is then re-established.
     */
    public WebSocketClientBuilder maxMessageChars(int value) {
        if (value < 1024) {
            throw new IllegalArgumentException("maxMessageChars: " + value + " (expected: at least 1024)");
        }
        this.maxMessageChars = value;
        return this;
    }

    /**
     * How often to ping (the server closes connections silent for 120 s by default); a ping unanswered for
     * this long drops the connection. {@link Duration#ZERO} turns the heartbeat off.
     */
    public WebSocketClientBuilder heartbeatInterval(Duration value) {
        requireNonNull(value, "heartbeatInterval");
        if (value.isNegative()) {
            throw new IllegalArgumentException("heartbeatInterval: " + value + " (expected: 0 or more)");
        }
        this.heartbeatInterval = value;
        return this;
    }

    /** Whether to reconnect after a lost connection (default true). */
    public WebSocketClientBuilder reconnect(boolean value) {
        this.reconnect = value;
        return this;
    }

    /** The first wait before reconnecting, doubled at each failed attempt up to {@code max} (with jitter). */
    public WebSocketClientBuilder reconnectBackoff(Duration initial, Duration max) {
        this.reconnectInitial = DashboardClient.Builder.positive(initial, "initial");
        this.reconnectMax = DashboardClient.Builder.positive(max, "max");
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max: " + max + " (expected: at least initial, " + initial + ")");
        }
        return this;
    }

    /** Runs the JDK HTTP client's asynchronous work (not the listeners, which have their own thread). */
    public WebSocketClientBuilder executor(Executor value) {
        this.executor = requireNonNull(value, "executor");
        return this;
    }

    /** Subscriptions made on every connection, as {@link WebSocketClient#subscribe(String...)}. */
    public WebSocketClientBuilder subscribe(String... names) {
        for (String n : names) {
            initialSubscriptions.add(requireNonNull(n, "name"));
        }
        return this;
    }

    /** Adds a listener; each call goes to the listeners in the order they were added (lambdas below included). */
    public WebSocketClientBuilder listener(WebSocketListener value) {
        listeners.add(requireNonNull(value, "listener"));
        return this;
    }

    /** Adds a listener called after each connection with the client (see {@link WebSocketListener#onConnect}). */
    public WebSocketClientBuilder onConnect(Consumer<? super WebSocketClient> action) {
        return listener(new Actions(requireNonNull(action, "action"), null, null, null));
    }

    /** Adds a listener called for each event. */
    public WebSocketClientBuilder onEvent(Consumer<? super Event> action) {
        return listener(new Actions(null, requireNonNull(action, "action"), null, null));
    }

    /** Adds a listener called for each other live message ({@code init}, {@code metric}, {@code widget}...). */
    public WebSocketClientBuilder onMessage(Consumer<? super LiveMessage> action) {
        return listener(new Actions(null, null, requireNonNull(action, "action"), null));
    }

    /** Adds a listener called when a connection is lost or closed. */
    public WebSocketClientBuilder onDisconnect(Consumer<? super Disconnect> action) {
        return listener(new Actions(null, null, null, requireNonNull(action, "action")));
    }

    /**
     * A new, unconnected client.
     *
     * @throws DashboardException naming Jackson or SLF4J when one is missing or of a clashing version
     */
    public WebSocketClient build() {
        Dependencies.require();
        return new WebSocketClient(new WebSocketSettings(uri, authToken, connectTimeout, requestTimeout,
                heartbeatInterval, reconnect, reconnectInitial, reconnectMax, maxPendingRequests, maxMessageChars,
                executor, List.copyOf(listeners), List.copyOf(initialSubscriptions)));
    }

    /** A listener made of the actions given to {@code onConnect}, {@code onEvent}...: each one that is not null. */
    private record Actions(
            Consumer<? super WebSocketClient> connect,
            Consumer<? super Event> event,
            Consumer<? super LiveMessage> message,
            Consumer<? super Disconnect> disconnect) implements WebSocketListener {

        @Override
        public void onConnect(WebSocketClient client) {
            run(connect, client);
        }

        @Override
        public void onEvent(Event e) {
            run(event, e);
        }

        @Override
        public void onMessage(LiveMessage m) {
            run(message, m);
        }

        @Override
        public void onDisconnect(Disconnect d) {
            run(disconnect, d);
        }

        private static <T> void run(Consumer<? super T> action, T value) {
            if (action != null) {
                action.accept(value);
            }
        }
    }
}
