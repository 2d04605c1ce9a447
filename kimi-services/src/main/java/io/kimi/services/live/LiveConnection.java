package io.kimi.services.live;

/** One connected live client, as the fan-out sees it. Implemented by the transport (WebSocket). */
public interface LiveConnection {
    Subscriptions subscriptions();

    /**
     * Queues a message for the client without blocking; returns {@code false} when the client's queue is full
     * and the message was dropped. Called from any thread. The array is shared and must not be modified.
     */
    boolean offer(byte[] utf8Json);

    /**
     * Tells the client the server is going away (WebSocket 1001) and closes; the future completes once the
     * connection is closed.
     */
    java.util.concurrent.Future<?> goAway(String reason);
}
