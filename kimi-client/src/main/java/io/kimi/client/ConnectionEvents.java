package io.kimi.client;

import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link WebSocketClient} does on its connections: restores the subscriptions on a new one, routes each
 * message (replies to {@link PendingReplies}, pushed messages the subscriptions want to the listeners), and fails
 * the waiting requests of one that ends. Listener calls go to the {@link ClientThread}; what a connection pushes
 * before it is ready waits in its {@link EarlyMessages}. Thread-safe.
 */
final class ConnectionEvents implements ReconnectingConnection.Handler {
    private static final Logger log = LoggerFactory.getLogger(WebSocketClient.class);

    private final WebSocketClient client;
    private final URI uri;
    private final List<WebSocketListener> listeners;
    private final ClientThread thread;
    private final PendingReplies replies;
    private final LiveSubscriptions subscriptions;

    ConnectionEvents(WebSocketClient client, WebSocketSettings settings, ClientThread thread, PendingReplies replies,
            LiveSubscriptions subscriptions) {
        this.client = client;
        this.uri = settings.uri();
        this.listeners = settings.listeners();
        this.thread = thread;
        this.replies = replies;
        this.subscriptions = subscriptions;
    }

    @Override
    public CompletableFuture<Void> opened(LiveSocket socket) {
        if (!replies.attach(socket)) {
            return CompletableFuture.failedFuture(
                    new DashboardConnectionException("the connection to " + uri + " was lost as it opened"));
        }
        CompletableFuture<Void> restored = subscriptions.restore();
        restored.whenComplete((v, e) -> {
            if (e == null) {
                thread.run(all(l -> l.onConnect(client)));
            } else {
                log.warn("Restoring the subscriptions on {} failed: {}", uri, Rest.unwrap(e).toString());
            }
            socket.early().release(thread::run);
        });
        return restored;
    }

    @Override
    public void text(LiveSocket socket, String text) {
        InboundDecoder.Inbound inbound = InboundDecoder.decode(text);
        if (inbound instanceof InboundDecoder.Reply reply) {
            replies.answer(socket, reply);
        } else if (inbound instanceof InboundDecoder.PushedEvent pushed) {
            Event event = pushed.event();
            if (subscriptions.wants("event", event.eventType().name())) {
                deliver(socket, all(l -> l.onEvent(event)));
            }
        } else if (inbound instanceof InboundDecoder.Pushed pushed) {
            LiveMessage message = pushed.message();
            if (message.type().equals("error")) {
                log.warn("The dashboard at {} reported an error: {} {}", uri, message.json().path("code").asText(),
                        message.json().path("message").asText());
            }
            if (pushed.always() || subscriptions.wants(message.type(), message.type())) {
                deliver(socket, all(l -> l.onMessage(message)));
            }
        } else if (inbound instanceof InboundDecoder.Unreadable unreadable) {
            log.warn("Ignoring {} from {}", unreadable.why(), uri);
        }
    }

    @Override
    public void lost(LiveSocket socket, Disconnect disconnect, String why) {
        replies.detach(socket, why);
        thread.run(all(l -> l.onDisconnect(disconnect)));
    }

    @Override
    public CompletableFuture<?> ping() {
        return replies.send("ping", Json.MAPPER.createObjectNode().put("action", "ping"));
    }

    /** Runs a listener call now, or, while the connection is not ready, holds it back until it is. */
    private void deliver(LiveSocket socket, Runnable call) {
        if (!socket.early().holdBack(call)) {
            thread.run(call);
        }
    }

    /** A call to every listener, in order; one that throws does not keep it from the others. */
    private Runnable all(Consumer<WebSocketListener> call) {
        return () -> {
            for (WebSocketListener l : listeners) {
                try {
                    call.accept(l);
                } catch (RuntimeException e) {
                    log.error("A WebSocketClient listener failed; the client carries on", e);
                }
            }
        };
    }
}
