package io.kimi.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

/** Reads {@code [server]}; keys the file leaves out take the built-in defaults. */
final class ServerSection {
    static final String DEFAULT_HOST = "127.0.0.1";
    static final int DEFAULT_PORT = 8766;
    static final String DEFAULT_DB_PATH = "./dashboard.db";
    static final int DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
    static final int DEFAULT_IO_THREADS = 0;
    static final int DEFAULT_BLOCKING_THREADS = 4;
    static final int MAX_THREADS = 1024;

    static final List<String> KEYS = List.of("host", "port", "db_path", "max_body_bytes", "auth_token",
            "allow_unauthenticated_remote", "io_threads", "blocking_threads");

    private final EnvExpander expander;

    ServerSection(EnvExpander expander) {
        this.expander = requireNonNull(expander, "expander");
    }

    ServerConfig read(Table server) {
        server.requireOnly(KEYS);
        String host = server.nonBlankString("host").orElse(DEFAULT_HOST);
        int port = server.intOr("port", DEFAULT_PORT, 0, 65535);
        String dbPath = server.nonBlankString("db_path").orElse(DEFAULT_DB_PATH);
        int maxBodyBytes = server.intOr("max_body_bytes", DEFAULT_MAX_BODY_BYTES, 1, Integer.MAX_VALUE);
        Secret authToken = expander.secret(server, "auth_token", server.secretString("auth_token").orElse(null));
        boolean allowRemote = server.bool("allow_unauthenticated_remote").orElse(false);
        int ioThreads = server.intOr("io_threads", DEFAULT_IO_THREADS, 0, MAX_THREADS);
        int blockingThreads = server.intOr("blocking_threads", DEFAULT_BLOCKING_THREADS, 1, MAX_THREADS);
        return new ServerConfig(host, port, toPath(server, dbPath), maxBodyBytes, authToken, allowRemote,
                ioThreads, blockingThreads);
    }

    private static Path toPath(Table server, String dbPath) {
        try {
            return Path.of(dbPath);
        } catch (InvalidPathException e) {
            throw new ConfigException(server.source(), server.keyPath("db_path"),
                    "not a valid path: " + e.getMessage(), e);
        }
    }
}
