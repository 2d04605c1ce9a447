package io.kimi.config;

import static java.util.Objects.requireNonNull;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** Reads {@code [server]}; keys the file leaves out take the built-in defaults. */
final class ServerSection {
    static final String DEFAULT_HOST = "127.0.0.1";
    static final int DEFAULT_PORT = 8766;
    static final String DEFAULT_DB_PATH = "./dashboard.db";
    static final int DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
    static final int DEFAULT_IO_THREADS = 0;
    static final int DEFAULT_BLOCKING_THREADS = 4;
    static final int MAX_THREADS = 1024;
    static final long DEFAULT_WS_IDLE_TIMEOUT_MS = 120_000;
    static final long MAX_WS_IDLE_TIMEOUT_MS = Duration.ofDays(1).toMillis();
    static final int DEFAULT_WS_MAX_FRAME_BYTES = 65_536;
    static final int MIN_WS_MAX_FRAME_BYTES = 128;
    static final int MAX_WS_MAX_FRAME_BYTES = 16 * 1024 * 1024;
    static final int DEFAULT_WS_QUEUE_LIMIT = 1000;
    static final int MAX_WS_QUEUE_LIMIT = 1_000_000;
    static final long DEFAULT_WS_OUTBOUND_LIMIT_BYTES = 64L << 20;
    static final long MIN_WS_OUTBOUND_LIMIT_BYTES = 64L << 10;
    static final long MAX_WS_OUTBOUND_LIMIT_BYTES = 16L << 30;
    static final long MAX_TIMEOUT_MS = Duration.ofDays(1).toMillis();
    static final int MAX_CONNECTIONS = 1_000_000;
    static final int DEFAULT_MAX_ACCOUNTED_REPLY_BYTES = 8 << 20;
    /** Past this, one kept reply (and its text, parsed) could take more heap than a small server has to spare. */
    static final int MAX_MAX_ACCOUNTED_REPLY_BYTES = 16 << 20;
    private static final Pattern HOST_NAME = Pattern.compile("[a-z0-9_-]+(\\.[a-z0-9_-]+)*");

    static final List<String> KEYS = List.of("host", "port", "db_path", "max_body_bytes", "auth_token",
            "allow_unauthenticated_remote", "io_threads", "blocking_threads", "ws_idle_timeout_ms",
            "ws_max_frame_bytes", "ws_queue_limit", "allowed_origins", "ws_outbound_limit_bytes",
            "header_read_timeout_ms", "body_read_timeout_ms", "idle_timeout_ms", "max_connections",
            "max_connections_per_client", "max_pipelined_requests", "allowed_hosts", "max_accounted_reply_bytes",
            "estimate_sample_every", "accounting_queue_limit");
    static final int MAX_ACCOUNTING_QUEUE_LIMIT = 10_000_000;
    static final int MAX_ESTIMATE_SAMPLE_EVERY = 1_000_000;

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
        Duration wsIdleTimeout = Duration.ofMillis(server.integer("ws_idle_timeout_ms", 1, MAX_WS_IDLE_TIMEOUT_MS)
                .orElse(DEFAULT_WS_IDLE_TIMEOUT_MS));
        int wsMaxFrameBytes = server.intOr("ws_max_frame_bytes", DEFAULT_WS_MAX_FRAME_BYTES, MIN_WS_MAX_FRAME_BYTES,
                MAX_WS_MAX_FRAME_BYTES);
        int wsQueueLimit = server.intOr("ws_queue_limit", DEFAULT_WS_QUEUE_LIMIT, 1, MAX_WS_QUEUE_LIMIT);
        List<String> allowedOrigins = origins(server, server.stringList("allowed_origins").orElse(List.of()));
        long wsOutboundLimitBytes = server.integer("ws_outbound_limit_bytes", MIN_WS_OUTBOUND_LIMIT_BYTES,
                MAX_WS_OUTBOUND_LIMIT_BYTES).orElse(DEFAULT_WS_OUTBOUND_LIMIT_BYTES);
        List<String> allowedHosts = hosts(server, server.stringList("allowed_hosts").orElse(List.of()));
        int maxAccountedReplyBytes = server.intOr("max_accounted_reply_bytes", DEFAULT_MAX_ACCOUNTED_REPLY_BYTES, 0,
                MAX_MAX_ACCOUNTED_REPLY_BYTES);
        return new ServerConfig(host, port, toPath(server, dbPath), maxBodyBytes, authToken, allowRemote,
                ioThreads, blockingThreads, wsIdleTimeout, wsMaxFrameBytes, wsQueueLimit, allowedOrigins,
                wsOutboundLimitBytes, connections(server), allowedHosts, maxAccountedReplyBytes, accounting(server));
    }

    private static AccountingConfig accounting(Table server) {
        AccountingConfig d = AccountingConfig.DEFAULTS;
        return new AccountingConfig(
                server.intOr("estimate_sample_every", d.estimateSampleEvery(), 0, MAX_ESTIMATE_SAMPLE_EVERY),
                server.intOr("accounting_queue_limit", d.queueLimit(), 1, MAX_ACCOUNTING_QUEUE_LIMIT));
    }

    private static ConnectionLimits connections(Table server) {
        ConnectionLimits d = ConnectionLimits.DEFAULTS;
        Duration header = millis(server, "header_read_timeout_ms", d.headerReadTimeout());
        Duration body = millis(server, "body_read_timeout_ms", d.bodyReadTimeout());
        Duration idle = millis(server, "idle_timeout_ms", d.idleTimeout());
        int max = server.intOr("max_connections", d.maxConnections(), 1, MAX_CONNECTIONS);
        int perClient = server.intOr("max_connections_per_client", Math.min(d.maxConnectionsPerClient(), max), 1,
                MAX_CONNECTIONS);
        if (perClient > max) {
            throw server.error("max_connections_per_client", perClient + " is more than max_connections (" + max
                    + ")");
        }
        int pipelined = server.intOr("max_pipelined_requests", d.maxPipelinedRequests(), 1,
                ConnectionLimits.MAX_PIPELINED_REQUESTS);
        return new ConnectionLimits(header, body, idle, max, perClient, pipelined);
    }

    private static Duration millis(Table server, String key, Duration fallback) {
        return server.integer(key, 1, MAX_TIMEOUT_MS).map(Duration::ofMillis).orElse(fallback);
    }

    /**
     * Each entry is {@code "*"}, a host name or an IP address, without scheme or port (any port matches); kept
     * lower case, without a final "." and IPv6 addresses without brackets.
     */
    private static List<String> hosts(Table server, List<String> raw) {
        List<String> hosts = new ArrayList<>(raw.size());
        for (String entry : raw) {
            String host = entry.trim().toLowerCase(Locale.ROOT);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            if (host.endsWith(".")) {
                host = host.substring(0, host.length() - 1);
            }
            if (!host.equals("*") && !HOST_NAME.matcher(host).matches() && !isIpv6(host)) {
                throw server.error("allowed_hosts", "\"" + entry + "\" is not a host (expected \"*\", a name such "
                        + "as \"dashboard.example.com\" or an address such as \"192.168.1.20\", without scheme or "
                        + "port)");
            }
            hosts.add(host);
        }
        return List.copyOf(hosts);
    }

    /** Each entry is {@code "*"} or an origin, {@code http(s)://host[:port]}; kept lower case without a final "/". */
    private static List<String> origins(Table server, List<String> raw) {
        List<String> origins = new ArrayList<>(raw.size());
        for (String entry : raw) {
            String origin = entry.toLowerCase(Locale.ROOT);
            if (origin.endsWith("/")) {
                origin = origin.substring(0, origin.length() - 1);
            }
            if (!origin.equals("*") && !isOrigin(origin)) {
                throw server.error("allowed_origins", "\"" + entry + "\" is not an origin (expected \"*\" or "
                        + "scheme://host[:port] with scheme http or https and no path, e.g. "
                        + "\"http://localhost:3000\")");
            }
            origins.add(origin);
        }
        return List.copyOf(origins);
    }

    private static boolean isOrigin(String origin) {
        URI uri;
        try {
            uri = new URI(origin);
        } catch (URISyntaxException e) {
            // Reported by the caller with the file and key.
            return false;
        }
        return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                && uri.getRawUserInfo() == null && (uri.getRawPath() == null || uri.getRawPath().isEmpty())
                && uri.getRawQuery() == null && uri.getRawFragment() == null;
    }

    /** An IPv6 literal; parsed in brackets so that nothing is ever looked up in DNS. */
    private static boolean isIpv6(String host) {
        if (host.indexOf(':') < 0) {
            return false;
        }
        try {
            return InetAddress.getByName("[" + host + "]") instanceof Inet6Address;
        } catch (UnknownHostException e) {
            // Reported by the caller with the file and key.
            return false;
        }
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
