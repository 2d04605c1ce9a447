package io.kimi.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

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
 */
public record ServerConfig(
        String host,
        int port,
        Path dbPath,
        int maxBodyBytes,
        Secret authToken,
        boolean allowUnauthenticatedRemote,
        int ioThreads,
        int blockingThreads) {

    public ServerConfig {
        requireNonNull(host, "host");
        requireNonNull(dbPath, "dbPath");
        requireNonNull(authToken, "authToken");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
        }
    }

    /** This configuration bound elsewhere: each non-null argument replaces its field. */
    public ServerConfig withBinding(String newHost, Integer newPort, Path newDbPath) {
        return new ServerConfig(newHost != null ? newHost : host, newPort != null ? newPort : port,
                newDbPath != null ? newDbPath : dbPath, maxBodyBytes, authToken, allowUnauthenticatedRemote,
                ioThreads, blockingThreads);
    }
}
