package io.kimi.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * {@code [server]}'s bounds on client connections, so slow or idle clients cannot hold the server's sockets.
 *
 * @param headerReadTimeout from a new connection, or from the first byte of a later request, until the request's
 *     headers are complete; then the connection gets a 408 and is closed
 * @param bodyReadTimeout from complete headers until the end of the request body; then 408 and closed
 * @param idleTimeout a keep-alive connection that waits this long for its next request is closed. Never applied
 *     while a response is being sent, so a long streamed completion is not cut
 * @param maxConnections connections open at once (WebSockets included); more are refused with a 503 and closed
 * @param maxConnectionsPerClient connections open at once from one client address (at most {@code maxConnections})
 * @param maxPipelinedRequests requests one connection may send ahead (HTTP/1.1 pipelining) while a response is
 *     still being written: they wait and are answered in order; one more is answered 503 in its turn and the
 *     connection closed
 */
public record ConnectionLimits(
        Duration headerReadTimeout,
        Duration bodyReadTimeout,
        Duration idleTimeout,
        int maxConnections,
        int maxConnectionsPerClient,
        int maxPipelinedRequests) {

    /** The most {@code maxPipelinedRequests} may be. */
    public static final int MAX_PIPELINED_REQUESTS = 1024;

    /**
     * 10 s for headers, 60 s for a body, 60 s idle, 4096 connections, 1024 per client address, 16 requests waiting
     * per connection.
     */
    public static final ConnectionLimits DEFAULTS = new ConnectionLimits(Duration.ofSeconds(10),
            Duration.ofSeconds(60), Duration.ofSeconds(60), 4096, 1024, 16);

    public ConnectionLimits {
        positive(headerReadTimeout, "headerReadTimeout");
        positive(bodyReadTimeout, "bodyReadTimeout");
        positive(idleTimeout, "idleTimeout");
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections: " + maxConnections + " (expected: >= 1)");
        }
        if (maxConnectionsPerClient < 1 || maxConnectionsPerClient > maxConnections) {
            throw new IllegalArgumentException("maxConnectionsPerClient: " + maxConnectionsPerClient
                    + " (expected: 1-" + maxConnections + ", the maxConnections)");
        }
        if (maxPipelinedRequests < 1 || maxPipelinedRequests > MAX_PIPELINED_REQUESTS) {
            throw new IllegalArgumentException("maxPipelinedRequests: " + maxPipelinedRequests + " (expected: 1-"
                    + MAX_PIPELINED_REQUESTS + ")");
        }
    }

    private static void positive(Duration d, String name) {
        requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
        }
    }
}
