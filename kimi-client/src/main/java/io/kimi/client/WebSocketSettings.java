package io.kimi.client;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * A {@link WebSocketClient}'s configuration, as {@link WebSocketClientBuilder} checked it.
 *
 * @param executor runs the JDK HTTP client's asynchronous work, or {@code null} for its default
 */
record WebSocketSettings(URI uri, String authToken, Duration connectTimeout, Duration requestTimeout,
        Duration heartbeatInterval, boolean reconnect, Duration reconnectInitial, Duration reconnectMax,
        int maxPendingRequests, int maxMessageChars, Executor executor, List<WebSocketListener> listeners,
        List<String> initialSubscriptions) {
}
