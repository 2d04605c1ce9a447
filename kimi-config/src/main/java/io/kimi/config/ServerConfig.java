package io.kimi.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code [server]}.
 *
 * @param host the bind address (127.0.0.1 by default)
 * @param port the port (8766 by default; 0 picks a free one)
 * @param dbPath the SQLite file
 * @param maxBodyBytes the largest request body accepted (413 beyond)
 * @param authToken the Bearer token required on every route; required for a non-loopback bind. It may be
 *     {@linkplain Secret#isConfigured() configured} but not {@linkplain Secret#isResolved() resolved} when the
 *     file names an unset variable: treat that as an error at start (fail closed), not as "no token"
 * @param allowUnauthenticatedRemote explicit opt-out of the token requirement for non-loopback binds
 * @param ioThreads Netty event loop threads (0: one per core)
 * @param blockingThreads threads for database reads and other blocking work
 * @param wsIdleTimeout a WebSocket client that sends nothing for this long is closed
 * @param wsMaxFrameBytes the largest WebSocket frame accepted from a client
 * @param wsQueueLimit messages queued per WebSocket client before it counts as too slow
 * @param allowedOrigins browser origins allowed to open a WebSocket, or to send a state-changing request, besides
 *     the server's own ({@code "*"}: any); lower case, without a trailing slash
 * @param wsOutboundLimitBytes bytes waiting to be sent to all WebSocket clients together before those holding
 *     more than their share are cut off
 * @param connections timeouts and limits of client connections
 * @param allowedHosts names a request's {@code Host} may carry besides loopback names and addresses and the bind
 *     host ({@code "*"}: any); lower case, IPv6 addresses without brackets
 * @param maxAccountedReplyBytes the most bytes of one reply kept for counting its tokens; the bytes past it are
 *     still relayed, and their tokens estimated from their size (0 keeps none: every reply is estimated)
 * @param accounting how proxied requests are recorded: local counting sample, recording queue bound
 */
public record ServerConfig(
        String host,
        int port,
        Path dbPath,
        int maxBodyBytes,
        Secret authToken,
        boolean allowUnauthenticatedRemote,
        int ioThreads,
        int blockingThreads,
        Duration wsIdleTimeout,
        int wsMaxFrameBytes,
        int wsQueueLimit,
        List<String> allowedOrigins,
        long wsOutboundLimitBytes,
        ConnectionLimits connections,
        List<String> allowedHosts,
        int maxAccountedReplyBytes,
        AccountingConfig accounting) {

    /** As before {@code [server]} had keys for the accounting: those take their defaults. */
    public ServerConfig(String host, int port, Path dbPath, int maxBodyBytes, Secret authToken,
            boolean allowUnauthenticatedRemote, int ioThreads, int blockingThreads, Duration wsIdleTimeout,
            int wsMaxFrameBytes, int wsQueueLimit, List<String> allowedOrigins, long wsOutboundLimitBytes,
            ConnectionLimits connections, List<String> allowedHosts, int maxAccountedReplyBytes) {
        this(host, port, dbPath, maxBodyBytes, authToken, allowUnauthenticatedRemote, ioThreads, blockingThreads,
                wsIdleTimeout, wsMaxFrameBytes, wsQueueLimit, allowedOrigins, wsOutboundLimitBytes, connections,
                allowedHosts, maxAccountedReplyBytes, AccountingConfig.DEFAULTS);
    }

    public ServerConfig {
        requireNonNull(host, "host");
        requireNonNull(dbPath, "dbPath");
        requireNonNull(authToken, "authToken");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
        }
        requireNonNull(wsIdleTimeout, "wsIdleTimeout");
        if (wsIdleTimeout.isNegative() || wsIdleTimeout.isZero()) {
            throw new IllegalArgumentException("wsIdleTimeout: " + wsIdleTimeout + " (expected: > 0)");
        }
        if (wsMaxFrameBytes < 1) {
            throw new IllegalArgumentException("wsMaxFrameBytes: " + wsMaxFrameBytes + " (expected: >= 1)");
        }
        if (wsQueueLimit < 1) {
            throw new IllegalArgumentException("wsQueueLimit: " + wsQueueLimit + " (expected: >= 1)");
        }
        allowedOrigins = List.copyOf(requireNonNull(allowedOrigins, "allowedOrigins"));
        if (wsOutboundLimitBytes < 1) {
            throw new IllegalArgumentException("wsOutboundLimitBytes: " + wsOutboundLimitBytes + " (expected: >= 1)");
        }
        requireNonNull(connections, "connections");
        allowedHosts = List.copyOf(requireNonNull(allowedHosts, "allowedHosts"));
        if (maxAccountedReplyBytes < 0) {
            throw new IllegalArgumentException("maxAccountedReplyBytes: " + maxAccountedReplyBytes
                    + " (expected: >= 0)");
        }
        requireNonNull(accounting, "accounting");
    }

    /** This configuration bound elsewhere: each non-null argument replaces its field. */
    public ServerConfig withBinding(String newHost, Integer newPort, Path newDbPath) {
        return new ServerConfig(newHost != null ? newHost : host, newPort != null ? newPort : port,
                newDbPath != null ? newDbPath : dbPath, maxBodyBytes, authToken, allowUnauthenticatedRemote,
                ioThreads, blockingThreads, wsIdleTimeout, wsMaxFrameBytes, wsQueueLimit, allowedOrigins,
                wsOutboundLimitBytes, connections, allowedHosts, maxAccountedReplyBytes, accounting);
    }
}
