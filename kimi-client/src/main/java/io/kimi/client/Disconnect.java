package io.kimi.client;

/**
 * Why a {@link WebSocketClient} lost its connection.
 *
 * @param statusCode the WebSocket close code (1000 closed by the client, 1001 idle, 1006 abnormal, 1008 too slow,
 *     ...)
 * @param reason the close reason, or what failed
 * @param error the transport failure, or {@code null} for a close handshake
 * @param willReconnect whether the client will reconnect (it will unless closed, or built without reconnection)
 */
public record Disconnect(int statusCode, String reason, Throwable error, boolean willReconnect) {
}
