package io.kimi.api;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kimi.api.testing.KimiServerExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;

/** A real WebSocket client (java.net.http) that collects the server's messages for assertions. */
final class WsTestClient implements WebSocket.Listener, AutoCloseable {
    final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private final boolean reading;
    WebSocket socket;
    volatile String closeReason;

    private WsTestClient(boolean reading) {
        this.reading = reading;
    }

    static WsTestClient connect(URI uri) {
        return connect(uri, true, null);
    }

    /** With {@code reading} false the client asks for one message only and then stops reading. */
    static WsTestClient connect(URI uri, boolean reading, String origin) {
        WsTestClient client = new WsTestClient(reading);
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(5));
        if (origin != null) {
            builder.header("Origin", origin);
        }
        client.socket = builder.buildAsync(uri, client).join();
        return client;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                messages.add(KimiServerExtension.JSON.readTree(partial.toString()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            partial.setLength(0);
        }
        if (reading) {
            webSocket.request(1);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeReason = reason;
        closed.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete(-1);
    }

    void send(String json) {
        socket.sendText(json, true).join();
    }

    /** The next message of this type, skipping others (bounded wait). */
    JsonNode next(String type) {
        return next(m -> type.equals(m.path("type").asText()), type);
    }

    JsonNode next(Predicate<JsonNode> wanted, String what) {
        List<String> skipped = new ArrayList<>();
        AtomicReference<JsonNode> found = new AtomicReference<>();
        try {
            await("a '" + what + "' message").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                    .until(() -> {
                        for (JsonNode m = messages.poll(); m != null; m = messages.poll()) {
                            if (wanted.test(m)) {
                                found.set(m);
                                return true;
                            }
                            skipped.add(m.path("type").asText());
                        }
                        return false;
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no '" + what + "' message within 10 s; skipped: " + skipped, e);
        }
        return found.get();
    }

    /** Every message received within the given time. */
    List<JsonNode> drain(Duration quiet) throws InterruptedException {
        List<JsonNode> out = new ArrayList<>();
        JsonNode m;
        while ((m = messages.poll(quiet.toMillis(), TimeUnit.MILLISECONDS)) != null) {
            out.add(m);
        }
        return out;
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
        }
        socket.abort();
    }
}
