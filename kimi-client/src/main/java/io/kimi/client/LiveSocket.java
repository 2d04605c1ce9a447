package io.kimi.client;

import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket connection of a {@link WebSocketClient}: whole text messages in (up to the settings'
 * {@code maxMessageChars}), text messages out in order, and what it pushes before it is ready
 * ({@link #early()}). Its end, whatever the cause, is reported to {@link Events#ended} (a send that fails is
 * reported on another thread, so a caller holding a lock is never called back). Thread-safe.
 */
final class LiveSocket implements WebSocket.Listener {
    private static final Logger log = LoggerFactory.getLogger(WebSocketClient.class);
    /** Status for a message over the size limit (as RFC 6455's "message too big"). */
    static final int TOO_BIG = 1009;

    /** What happens on a connection. */
    interface Events {
        void text(LiveSocket socket, String text);

        void ended(LiveSocket socket, int status, String reason, Throwable error);
    }

    private final WebSocketSettings settings;
    private final Events events;
    private final EarlyMessages early;
    private volatile WebSocket ws;
    private volatile boolean ended;
    /** The message being received; the JDK calls {@link #onText} one at a time. */
    private final StringBuilder partial = new StringBuilder();
    private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);

    private LiveSocket(WebSocketSettings settings, Events events) {
        this.settings = settings;
        this.events = events;
        this.early = new EarlyMessages(settings.uri());
    }

    /** Opens a connection to the settings' address; the future fails when it cannot be made. */
    static CompletableFuture<LiveSocket> open(HttpClient http, WebSocketSettings settings, Events events) {
        LiveSocket socket = new LiveSocket(settings, events);
        WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(settings.connectTimeout());
        if (settings.authToken() != null) {
            b.header("Authorization", "Bearer " + settings.authToken());
        }
        try {
            return b.buildAsync(settings.uri(), socket).thenApply(ws -> {
                socket.ws = ws;
                return socket;
            });
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    EarlyMessages early() {
        return early;
    }

    /** Marks it ended: from now on it is not used for requests. */
    void markEnded() {
        ended = true;
    }

    boolean isEnded() {
        return ended;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        this.ws = webSocket;
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        if (partial.length() + data.length() > settings.maxMessageChars()) {
            partial.setLength(0);
            events.ended(this, TOO_BIG, "a message over " + settings.maxMessageChars() + " characters", null);
            return null; // no request(1): nothing more is read
        }
        partial.append(data);
        if (last) {
            String text = partial.toString();
            partial.setLength(0);
            try {
                events.text(this, text);
            } catch (RuntimeException e) {
                log.error("Handling a message from {} failed", settings.uri(), e);
            }
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        events.ended(this, statusCode, reason, null);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        events.ended(this, 1006, Rest.describe(error), error);
    }

    /** Sends in order: the JDK allows one outstanding send at a time. */
    synchronized void send(String text) {
        WebSocket w = ws;
        sending = sending.handle((v, e) -> null).thenCompose(v -> w.sendText(text, true))
                .whenComplete((v, e) -> {
                    if (e != null) {
                        String why = "sending failed: " + Rest.describe(Rest.unwrap(e));
                        CompletableFuture.runAsync(() -> events.ended(this, 1006, why, e));
                    }
                });
    }

    /** Closes with 1000 after what is being sent; aborts when that takes over 2 s. */
    synchronized void close() {
        WebSocket w = ws;
        if (w == null) {
            return;
        }
        sending = sending.handle((v, e) -> null)
                .thenCompose(v -> w.sendClose(WebSocket.NORMAL_CLOSURE, "bye"))
                .orTimeout(2, TimeUnit.SECONDS)
                .whenComplete((v, e) -> {
                    if (e != null) {
                        w.abort();
                    }
                });
    }

    void abort() {
        WebSocket w = ws;
        if (w != null && !w.isOutputClosed()) {
            w.abort();
        }
    }
}
