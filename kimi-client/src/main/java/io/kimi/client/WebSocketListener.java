package io.kimi.client;

/**
 * What a {@link WebSocketClient} tells you: give one to {@link WebSocketClientBuilder#listener}, or single
 * lambdas to {@link WebSocketClientBuilder#onEvent} and the like. Every method does nothing by default: implement
 * the ones you need.
 *
 * <pre>{@code
 * class Watcher implements WebSocketListener {
 *     public void onConnect(WebSocketClient client) { client.subscribe(EventType.CONVERGENCE_REACHED); }
 *     public void onEvent(Event e) { System.out.println("Convergence reached in " + e.sessionId()); }
 * }
 * WebSocketClient ws = WebSocketClient.builder("ws://127.0.0.1:8766/ws").listener(new Watcher()).build();
 * }</pre>
 *
 * <p>The calls run one at a time, in arrival order, on the client's own callback thread, so they may block and
 * may call the client (even {@code join()} a request); one that throws is logged and the client carries on. A
 * slow listener delays later calls, not the connection. With several listeners, each call goes to them in the
 * order they were added. {@link #onConnect} comes first for each connection: what the dashboard pushes before the
 * subscriptions are restored ({@code init}, and everything while a new connection still receives everything)
 * waits, up to 1,000 messages (more are dropped and logged), and comes right after it.
 */
public interface WebSocketListener {
    /** After each connection (the first and every reconnection), once the subscriptions are restored. */
    default void onConnect(WebSocketClient client) {
    }

    /** Each {@code event} message the subscriptions want. */
    default void onEvent(Event event) {
    }

    /**
     * Each other live message the subscriptions want ({@code metric}, {@code session}, {@code alert},
     * {@code widget}, ...), {@code init}, and an {@code error} the dashboard sends about no request.
     */
    default void onMessage(LiveMessage message) {
    }

    /** When a connection is lost or closed. */
    default void onDisconnect(Disconnect disconnect) {
    }
}
