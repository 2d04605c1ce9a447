package io.kimi.services.internal.live;

import java.util.concurrent.Future;

/** One connected live client, as the fan-out sees it. Implemented by the transport (WebSocket). */
public interface LiveConnection {
    Subscriptions subscriptions();

    /**
     * Queues a message for the client without blocking; returns {@code false} when it was not queued: the client
     * is closing, or is over a limit (then it is {@linkplain #cutOff cut off}). Called from any thread. The
     * array is shared and must not be modified.
     */
    boolean offer(byte[] utf8Json);

    /**
     * Bytes queued for the client and not yet sent, as counted in {@link LiveClients#outbound()}; 0 once it is
     * closing (its bytes are then given back at once, the connection being on its way out).
     */
    long outboundBytes();

    /**
     * While {@link #outboundBytes()} is positive: the {@link System#nanoTime()} at which the client last took
     * something (a write to it completed), or began to have something waiting if later. A client that stopped
     * reading keeps an old one; one that reads, even in bursts, a recent one.
     */
    long waitingSinceNanos();

    /**
     * Drops what waits for the client, disconnects it (WebSocket 1008: too slow) and counts it under
     * {@code reason} in {@link LiveClients#countDrop}, unless it is already closing. Called from any thread.
     */
    void cutOff(DropReason reason);

    /**
     * Tells the client the server is going away (WebSocket 1001) and closes; the future completes once the
     * connection is closed.
     */
    Future<?> goAway(String reason);
}
