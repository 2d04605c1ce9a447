package io.kimi.services.convergence;

import io.kimi.core.Threads;
import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WebSocket client to the convergence loop ({@code CONVERGENCE_WS_URL}). Each message is parsed by
 * {@link IncomingEvents} and handed to the {@link ConvergenceIngest}; the next message is read only once the
 * previous one is stored, so a slow database slows the loop's socket rather than filling memory. While the
 * loop is down the bridge reconnects with capped exponential backoff and jitter; the server does not depend on
 * it. The loop's pings are answered (by the JDK client). Thread-safe.
 */
public final class ConvergenceBridge implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConvergenceBridge.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(250);

    private final URI url;
    private final IncomingEvents parser;
    private final ConvergenceIngest ingest;
    private final Duration maxBackoff;
    private final Clock clock;
    private final HttpClient http;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Threads.daemon("kimi-convergence-bridge"));
    private final AtomicReference<BridgeStatus> status;
    private final AtomicReference<WebSocket> socket = new AtomicReference<>();
    private volatile boolean closed;
    private int failures;

    public ConvergenceBridge(URI url, IncomingEvents parser, ConvergenceIngest ingest, Duration maxBackoff,
            Clock clock) {
        this.url = requireNonNull(url, "url");
        this.parser = requireNonNull(parser, "parser");
        this.ingest = requireNonNull(ingest, "ingest");
        this.maxBackoff = requireNonNull(maxBackoff, "maxBackoff");
        this.clock = requireNonNull(clock, "clock");
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        this.status = new AtomicReference<>(new BridgeStatus("connecting", url.toString(), null, null, 0, 0, 0,
                null, null));
    }

    /** Starts connecting in the background; returns at once. */
    public void start() {
        timer.execute(this::connect);
    }

    public BridgeStatus status() {
        return status.get();
    }

    private void connect() {
        if (closed) {
            return;
        }
        update(s -> new BridgeStatus("connecting", s.url(), null, s.lastMessageAt(), s.messagesReceived(),
                s.eventsAccepted(), s.connections(), s.lastError(), null));
        http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10)).buildAsync(url, new Listener())
                .whenComplete((ws, error) -> {
                    if (error != null) {
                        retry("cannot connect: " + rootMessage(error));
                    } else if (closed) {
                        ws.abort();
                    } else {
                        socket.set(ws);
                        failures = 0;
                        log.info("Connected to the convergence loop at {}", url);
                        update(s -> new BridgeStatus("connected", s.url(), clock.instant(), s.lastMessageAt(),
                                s.messagesReceived(), s.eventsAccepted(), s.connections() + 1, s.lastError(), null));
                    }
                });
    }

    private synchronized void retry(String problem) {
        socket.set(null);
        if (closed) {
            return;
        }
        failures++;
        long base = Math.min(maxBackoff.toMillis(), FIRST_RETRY.toMillis() << Math.min(failures - 1, 20));
        long delay = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
        Instant next = clock.instant().plusMillis(delay);
        if (failures == 1) {
            log.info("Convergence loop at {} unavailable ({}); retrying in the background", url, problem);
        } else {
            log.debug("Convergence loop at {} still unavailable ({}); attempt {} in {} ms", url, problem,
                    failures + 1, delay);
        }
        update(s -> new BridgeStatus("waiting", s.url(), null, s.lastMessageAt(), s.messagesReceived(),
                s.eventsAccepted(), s.connections(), problem, next));
        timer.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    private void update(java.util.function.UnaryOperator<BridgeStatus> change) {
        status.updateAndGet(change);
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (!last) {
                webSocket.request(1);
                return null;
            }
            String text = partial.toString();
            partial.setLength(0);
            update(s -> new BridgeStatus(s.state(), s.url(), s.connectedSince(), clock.instant(),
                    s.messagesReceived() + 1, s.eventsAccepted(), s.connections(), s.lastError(), null));
            IncomingEvents.Parsed parsed = parser.fromMessage(text);
            parsed.problems().forEach(p -> log.warn("Convergence loop sent an invalid event: {}", p));
            CompletableFuture<IngestResult> done = ingest.ingest(parsed.events());
            return done.handle((result, error) -> {
                if (error != null) {
                    log.error("Storing the convergence loop's events failed", error);
                } else {
                    update(s -> new BridgeStatus(s.state(), s.url(), s.connectedSince(), s.lastMessageAt(),
                            s.messagesReceived(), s.eventsAccepted() + result.accepted(), s.connections(),
                            s.lastError(), null));
                }
                webSocket.request(1);
                return null;
            });
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            log.warn("Convergence loop sent a binary message; only JSON text is understood");
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            retry("closed by the loop (" + statusCode + (reason.isEmpty() ? "" : ", " + reason) + ")");
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            retry("connection lost: " + rootMessage(error));
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    @Override
    public void close() {
        closed = true;
        WebSocket ws = socket.getAndSet(null);
        if (ws != null) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "dashboard stopping").exceptionally(e -> null);
            ws.abort();
        }
        timer.shutdownNow();
        update(s -> new BridgeStatus("disabled", s.url(), null, s.lastMessageAt(), s.messagesReceived(),
                s.eventsAccepted(), s.connections(), s.lastError(), null));
    }
}
