package io.kimi.features.mcp;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.config.McpConfig;
import io.kimi.config.McpServerConfig;
import io.kimi.config.MissingSecretException;
import io.kimi.config.Secret;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pings every configured MCP server (MCP {@code ping}, all at once, at most {@code min(timeout, 2 s)} each) and
 * records each one's health, at most once per {@link #CACHE}. Thread-safe: one probe runs at a time.
 */
final class McpProber {
    private static final Logger LOG = LoggerFactory.getLogger(McpProber.class);

    static final Duration CACHE = Duration.ofSeconds(McpGateway.PROBE_CACHE_SECONDS);
    static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final McpConfig config;
    private final Clock clock;
    private final ObjectMapper mapper;
    private final McpTransport transport;
    private final McpSessions sessions;
    private final ServerHealth health;
    private final ReplyJson replies;
    private final AtomicLong pingIds = new AtomicLong();
    private final Object lock = new Object();
    private Instant lastProbe; // guarded by lock

    McpProber(McpConfig config, Clock clock, ObjectMapper mapper, McpTransport transport, McpSessions sessions,
            ServerHealth health) {
        this.config = requireNonNull(config, "config");
        this.clock = requireNonNull(clock, "clock");
        this.mapper = requireNonNull(mapper, "mapper");
        this.transport = requireNonNull(transport, "transport");
        this.sessions = requireNonNull(sessions, "sessions");
        this.health = requireNonNull(health, "health");
        this.replies = new ReplyJson(mapper);
    }

    /** Pings every server unless the last probe is less than {@link #CACHE} old. Blocks at most about 2 s. */
    void probeIfDue() {
        synchronized (lock) {
            Instant now = clock.instant();
            if (lastProbe != null && Duration.between(lastProbe, now).compareTo(CACHE) < 0) {
                return;
            }
            lastProbe = now;
            Map<String, Probe> probes = new LinkedHashMap<>();
            for (McpServerConfig server : config.servers().values()) {
                probes.put(server.name(), start(server));
            }
            for (Map.Entry<String, Probe> entry : probes.entrySet()) {
                finish(entry.getKey(), entry.getValue());
            }
        }
    }

    /** A ping in flight, or the reason it could not be sent. */
    private record Probe(Instant start, Duration timeout, String token,
            CompletableFuture<HttpResponse<byte[]>> pending, String error) {
    }

    private Probe start(McpServerConfig server) {
        Instant start = clock.instant();
        Duration timeout = server.timeout().compareTo(TIMEOUT) < 0 ? server.timeout() : TIMEOUT;
        String token;
        try {
            Secret secret = server.authToken();
            token = secret == null || !secret.isConfigured() ? null : secret.value();
        } catch (MissingSecretException e) {
            LOG.debug("No token for MCP server '{}'", server.name(), e);
            return new Probe(start, timeout, null, null, "environment variable " + e.variable() + " is not set");
        }
        ObjectNode ping = mapper.createObjectNode();
        ping.put("jsonrpc", "2.0");
        ping.put("id", "kimi-ping-" + pingIds.incrementAndGet());
        ping.put("method", "ping");
        byte[] body = ping.toString().getBytes(StandardCharsets.UTF_8);
        return new Probe(start, timeout, token,
                transport.start(server.url(), body, token, sessions.get(server.name()), timeout), null);
    }

    private void finish(String name, Probe probe) {
        if (probe.error() != null) {
            health.down(name, 0, clock.instant(), probe.error());
            return;
        }
        Duration left = probe.timeout().minus(Duration.between(probe.start(), clock.instant()));
        McpTransport.Reply reply;
        try {
            reply = transport.await(probe.pending(), left.isNegative() ? Duration.ZERO : left);
        } catch (TimeoutException e) {
            LOG.debug("Ping to MCP server '{}' timed out", name, e);
            health.down(name, elapsedMs(probe.start()), clock.instant(),
                    "no answer to ping within " + probe.timeout().toMillis() + " ms");
            return;
        } catch (IOException e) {
            LOG.debug("Ping to MCP server '{}' failed", name, e);
            health.down(name, elapsedMs(probe.start()), clock.instant(),
                    ReplyJson.scrub(Failures.describe(e), probe.token()));
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.debug("Interrupted while pinging MCP server '{}'", name, e);
            return;
        }
        long elapsed = elapsedMs(probe.start());
        Instant now = clock.instant();
        sessions.remember(name, reply, null);
        if (reply.status() >= 500) {
            health.down(name, elapsed, now, "ping answered HTTP " + reply.status());
        } else if (reply.status() >= 300) {
            health.up(name, elapsed, now, "ping answered HTTP " + reply.status());
        } else if (replies.response(reply) == null) {
            health.down(name, elapsed, now, "ping answered with something that is not a JSON-RPC response");
        } else {
            health.up(name, elapsed, now, null);
        }
    }

    private long elapsedMs(Instant start) {
        return Math.max(0, Duration.between(start, clock.instant()).toMillis());
    }
}
