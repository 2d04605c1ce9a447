package io.kimi.features.mcp;

import static java.util.Objects.requireNonNull;

import io.kimi.config.McpServerConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** The last known health of each configured MCP server; thread-safe. */
final class ServerHealth {

    private final Map<String, McpServerStatus> statuses = new ConcurrentHashMap<>();

    ServerHealth(Map<String, McpServerConfig> servers) {
        servers.forEach((name, server) -> statuses.put(name,
                new McpServerStatus(name, displayUrl(server.url()), McpServerStatus.UNKNOWN, null, null, null)));
    }

    /** Records that {@code server} answered; {@code note} says what was odd about it, or is {@code null}. */
    void up(String server, long latencyMs, Instant at, String note) {
        record(server, McpServerStatus.UP, latencyMs, at, note);
    }

    /** Records that {@code server} failed. */
    void down(String server, long latencyMs, Instant at, String error) {
        record(server, McpServerStatus.DOWN, latencyMs, at, requireNonNull(error, "error"));
    }

    private void record(String server, String status, long latencyMs, Instant at, String error) {
        statuses.computeIfPresent(server,
                (name, old) -> new McpServerStatus(name, old.url(), status, Math.max(0, latencyMs), at, error));
    }

    /** Every server's status, by name. */
    List<McpServerStatus> snapshot() {
        return new ArrayList<>(new TreeMap<>(statuses).values());
    }

    /** {@code url} without user info, query or fragment: safe to show. */
    static String displayUrl(URI url) {
        try {
            return new URI(url.getScheme(), null, url.getHost(), url.getPort(), url.getPath(), null, null)
                    .toString();
        } catch (URISyntaxException e) {
            // Rebuilding from the parts of a valid URI cannot fail; fall back to the bare scheme and host.
            return url.getScheme() + "://" + url.getHost();
        }
    }
}
