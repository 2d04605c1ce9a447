package io.kimi.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of a {@link WebSocketClient}'s connection: the first connection, re-established with exponential
 * backoff (with jitter) once lost, a heartbeat ping on each, and the end (closed, or lost without reconnection).
 * What happens on a connection goes to a {@link Handler}, never while this holds its lock. Thread-safe.
 */
final class ReconnectingConnection {
    private static final Logger log = LoggerFactory.getLogger(WebSocketClient.class);

    /** What the client does with its connections. */
    interface Handler {
        /** A connection opened; completes once it is ready (its subscriptions restored). */
        CompletableFuture<Void> opened(LiveSocket socket);

        void text(LiveSocket socket, String text);

        /** A connection ended; {@code why} is what its waiting requests fail with. */
        void lost(LiveSocket socket, Disconnect disconnect, String why);

        /** Sends a ping; completes on its pong ({@code null} when it could not be sent). */
        CompletableFuture<?> ping();
    }

    private final WebSocketSettings settings;
    private final URI uri;
    private final HttpClient http;
    private final ClientThread thread;
    private final Handler handler;
    private final LiveSocket.Events events = new LiveSocket.Events() {
        @Override
        public void text(LiveSocket socket, String text) {
            handler.text(socket, text);
        }

        @Override
        public void ended(LiveSocket socket, int status, String reason, Throwable error) {
            lost(socket, status, reason, error);
        }
    };
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Object lock = new Object();
    private LiveSocket current;
    private boolean connecting;
    private boolean started;
    private boolean closed;
    private int attempts;
    private ScheduledFuture<?> heartbeat;

    ReconnectingConnection(WebSocketSettings settings, ClientThread thread, Handler handler) {
        this.settings = settings;
        this.uri = settings.uri();
        this.thread = thread;
        this.handler = handler;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(settings.connectTimeout());
        if (settings.executor() != null) {
            b.executor(settings.executor());
        }
        this.http = b.build();
    }

    boolean isConnected() {
        synchronized (lock) {
            return current != null;
        }
    }

    /** Why a request cannot be sent now. */
    String notConnected() {
        synchronized (lock) {
            return closed ? "the client is closed" : "not connected to " + uri + (started ? " (reconnecting)" : "");
        }
    }

    /** See {@link WebSocketClient#connect()}. */
    void connect() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("closed");
            }
            if (started) {
                return;
            }
            if (connecting) {
                throw new IllegalStateException("connect() is already running in another thread");
            }
            connecting = true;
        }
        try {
            LiveSocket socket = LiveSocket.open(http, settings, events)
                    .get(settings.connectTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
            CompletableFuture<Void> ready = opened(socket);
            if (ready == null) {
                throw new DashboardConnectionException("the client was closed while connecting to " + uri);
            }
            // Each restore fails by itself within the request timeout; this wait is a backstop.
            DashboardClient.await(ready.copy(), settings.requestTimeout().plus(DashboardClient.AWAIT_MARGIN));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DashboardConnectionException("interrupted while connecting to " + uri, e);
        } catch (TimeoutException e) {
            throw new DashboardConnectionException("connecting to " + uri + " timed out", e);
        } catch (ExecutionException e) {
            Throwable cause = Rest.unwrap(e);
            throw new DashboardConnectionException("cannot connect to " + uri + ": " + Rest.describe(cause), cause);
        } finally {
            synchronized (lock) {
                connecting = false;
            }
        }
    }

    /** Drops {@code socket} (if still current) as lost; it is then re-established. */
    void drop(LiveSocket socket, String reason) {
        lost(socket, 1006, reason, null);
    }

    /** See {@link WebSocketClient#close()}. */
    void close() {
        LiveSocket socket;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            socket = current;
            current = null;
            stopHeartbeat();
        }
        if (socket != null) {
            socket.markEnded();
            handler.lost(socket, new Disconnect(WebSocket.NORMAL_CLOSURE, "closed by the client", null, false),
                    "the client was closed");
            socket.close();
        }
        thread.finish(finished::countDown);
    }

    void awaitFinished() throws InterruptedException {
        finished.await();
    }

    boolean awaitFinished(long nanos) throws InterruptedException {
        return finished.await(nanos, TimeUnit.NANOSECONDS);
    }

    /** Makes an open {@code socket} current and readies it; {@code null} (socket closed) when it is not wanted. */
    private CompletableFuture<Void> opened(LiveSocket socket) {
        synchronized (lock) {
            if (closed || current != null) {
                socket.close();
                return null;
            }
            started = true;
            current = socket;
            attempts = 0;
            startHeartbeat(socket);
        }
        return handler.opened(socket);
    }

    /** A connection ended (a stale one reporting its end is ignored). */
    private void lost(LiveSocket socket, int status, String reason, Throwable error) {
        boolean willReconnect;
        synchronized (lock) {
            if (socket != current) {
                return;
            }
            current = null;
            stopHeartbeat();
            willReconnect = !closed && settings.reconnect();
            closed = !willReconnect;
        }
        socket.markEnded();
        log.info("Connection to {} lost ({} {}){}", uri, status, reason, willReconnect ? "; reconnecting" : "");
        socket.abort();
        handler.lost(socket, new Disconnect(status, reason, error, willReconnect),
                "the connection was lost (" + status + " " + reason + ")");
        if (willReconnect) {
            scheduleReconnect();
        } else {
            thread.finish(finished::countDown);
        }
    }

    private void scheduleReconnect() {
        long delay;
        synchronized (lock) {
            if (closed) {
                return;
            }
            int n = Math.min(attempts++, 20);
            long max = settings.reconnectMax().toMillis();
            long base = Math.min(max, settings.reconnectInitial().toMillis() << n);
            delay = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
        }
        thread.after(delay, this::reconnect);
    }

    private void reconnect() {
        synchronized (lock) {
            if (closed || current != null) {
                return;
            }
        }
        LiveSocket.open(http, settings, events).whenComplete((socket, error) -> {
            if (error != null) {
                log.debug("Reconnecting to {} failed: {}", uri, Rest.unwrap(error).toString());
                scheduleReconnect();
            } else if (opened(socket) != null) {
                log.info("Reconnected to {}", uri);
            }
        });
    }

    /** Holds the lock. */
    private void startHeartbeat(LiveSocket socket) {
        if (settings.heartbeatInterval().isZero()) {
            return;
        }
        long every = settings.heartbeatInterval().toMillis();
        heartbeat = thread.every(every, () -> {
            synchronized (lock) {
                if (current != socket) {
                    return;
                }
            }
            CompletableFuture<?> pong = handler.ping();
            if (pong != null) {
                pong.copy().orTimeout(every, TimeUnit.MILLISECONDS).whenComplete((p, e) -> {
                    if (e != null && Rest.unwrap(e) instanceof TimeoutException) {
                        drop(socket, "no pong within " + every + " ms");
                    }
                });
            }
        });
    }

    /** Holds the lock. */
    private void stopHeartbeat() {
        if (heartbeat != null) {
            heartbeat.cancel(false);
            heartbeat = null;
        }
    }
}
