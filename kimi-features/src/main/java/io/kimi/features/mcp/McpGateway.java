package io.kimi.features.mcp;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.kimi.config.McpConfig;
import io.kimi.config.McpServerConfig;
import io.kimi.config.MissingSecretException;
import io.kimi.config.Secret;
import io.kimi.core.ServerJson;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards JSON-RPC 2.0 requests to the MCP servers configured in {@code [mcp.servers.<name>]}, for {@code
 * POST /api/mcp-gateway/{server}/rpc}, and keeps their health for {@code GET /api/memory/servers}.
 *
 * <p>{@link #forward} blocks until the server answered or its {@code timeout} passed (every wait is bounded
 * by it): call it from a blocking pool, never from an event loop. Its answer is always a {@link GatewayReply}
 * (it throws only for a {@code null} argument):
 * <table>
 *   <caption>Replies</caption>
 *   <tr><th>case</th><th>JSON-RPC</th><th>HTTP</th></tr>
 *   <tr><td>the server's JSON-RPC reply (result or error), cut to {@code max_result_bytes}</td>
 *       <td>as sent</td><td>200</td></tr>
 *   <tr><td>a notification (no {@code id}) the server accepted</td><td>empty body</td><td>202</td></tr>
 *   <tr><td>body not JSON, or more after the request</td><td>-32700</td><td>400</td></tr>
 *   <tr><td>not one valid request (a batch, a bad {@code jsonrpc}, {@code method}, {@code id} or
 *       {@code params}, a key repeated in one object)</td><td>-32600</td><td>400</td></tr>
 *   <tr><td>a file path outside the workspace (see {@link WorkspaceGuard}); nothing is sent</td>
 *       <td>-32602 "path outside the workspace"</td><td>403</td></tr>
 *   <tr><td>unknown server (the message lists the configured ones)</td><td>-32001</td><td>404</td></tr>
 *   <tr><td>its token's environment variable is unset (the message names it)</td><td>-32603</td><td>503</td></tr>
 *   <tr><td>timeout, connection refused or broken</td><td>-32002</td><td>502</td></tr>
 *   <tr><td>a reply that is not JSON</td><td>-32003</td><td>502</td></tr>
 *   <tr><td>an HTTP error status ({@code error.data.upstream_status}), JSON that is not a JSON-RPC response,
 *       a reply over the hard size limit</td><td>-32603</td><td>502</td></tr>
 * </table>
 * Gateway errors keep the request's {@code id} whenever it could be read, and never contain the server's
 * token (the upstream text quoted in {@code error.data} is scrubbed of it, as are passed-through replies).
 *
 * <p>Requests go out as {@code POST} to the server's URL with {@code Content-Type: application/json}, {@code
 * Accept: application/json, text/event-stream} (an event-stream reply is read for its JSON-RPC response) and
 * {@code Authorization: Bearer <token>} when the server has one. The body is forwarded byte for byte. When a
 * server hands out an {@code Mcp-Session-Id}, later calls to it carry it (a 404 to a call that carried it
 * forgets it, as the session expired).
 *
 * <p>Health: each forwarded call records its outcome (see {@link McpServerStatus#status()}); {@link #probe()}
 * sends an MCP {@code ping} to every server at most once per {@value #PROBE_CACHE_SECONDS} seconds. Thread-safe.
 */
public final class McpGateway {

    private static final Logger LOG = LoggerFactory.getLogger(McpGateway.class);

    static final int PROBE_CACHE_SECONDS = 10;
    static final Duration PROBE_CACHE = Duration.ofSeconds(PROBE_CACHE_SECONDS);
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
    private static final int SNIPPET_CHARS = 200;
    private static final long MIN_HARD_LIMIT = 16L << 20;
    private static final long MAX_HARD_LIMIT = 512L << 20;

    private final McpConfig config;
    private final Clock clock;
    private final ObjectMapper mapper = ServerJson.newMapper();
    private final McpTransport transport;
    private final long hardLimit;
    private final WorkspaceGuard guard;
    private final ResultTruncator truncator;
    private final ServerHealth health;
    private final Map<String, String> sessions = new ConcurrentHashMap<>();
    private final AtomicLong pingIds = new AtomicLong();
    private final Object probeLock = new Object();
    private Instant lastProbe; // guarded by probeLock

    /**
     * @param config the servers, workspace and limits
     * @param http the client calls go through (its connect timeout and proxy settings apply; redirects are
     *     followed only if it is configured to)
     * @param clock the time of health records and of the probe cache
     */
    public McpGateway(McpConfig config, HttpClient http, Clock clock) {
        this.config = requireNonNull(config, "config");
        this.clock = requireNonNull(clock, "clock");
        this.hardLimit = Math.min(MAX_HARD_LIMIT, Math.max(MIN_HARD_LIMIT, 16L * config.maxResultBytes()));
        this.transport = new McpTransport(requireNonNull(http, "http"), hardLimit);
        this.guard = new WorkspaceGuard(config.workspace());
        this.truncator = new ResultTruncator(mapper, config.maxResultBytes());
        this.health = new ServerHealth(config.servers());
    }

    /**
     * Forwards one JSON-RPC request to {@code server} and answers with its reply or a JSON-RPC error (see the
     * class comment). Blocks at most the server's timeout (plus local checks).
     *
     * @param server the server's configured name
     * @param body the request body as received
     */
    public GatewayReply forward(String server, byte[] body) {
        requireNonNull(server, "server");
        requireNonNull(body, "body");
        try {
            JsonRpcRequest request = JsonRpcRequest.parse(mapper, body);
            return forward(server, request, body);
        } catch (RpcFailure failure) {
            return failure.error().toReply(mapper, failure.id());
        }
    }

    /** Every configured server's last known health, by name. */
    public List<McpServerStatus> servers() {
        return health.snapshot();
    }

    /**
     * Pings every server (MCP {@code ping}, at most {@code min(timeout, 2 s)} each, all at once) and returns
     * their health. When the last probe is less than {@value #PROBE_CACHE_SECONDS} seconds old, returns
     * {@link #servers()} without calling anyone, so a health route polled often never hammers the servers.
     * Blocks at most about 2 seconds.
     */
    public List<McpServerStatus> probe() {
        synchronized (probeLock) {
            Instant now = clock.instant();
            if (lastProbe != null && Duration.between(lastProbe, now).compareTo(PROBE_CACHE) < 0) {
                return servers();
            }
            lastProbe = now;
            Map<String, Probe> probes = new LinkedHashMap<>();
            for (McpServerConfig server : config.servers().values()) {
                probes.put(server.name(), startProbe(server));
            }
            for (Map.Entry<String, Probe> entry : probes.entrySet()) {
                finishProbe(entry.getKey(), entry.getValue());
            }
            return servers();
        }
    }

    // ---- forwarding ----

    private GatewayReply forward(String name, JsonRpcRequest request, byte[] body) {
        McpServerConfig server = config.servers().get(name);
        if (server == null) {
            throw fail(request, 404, RpcError.UNKNOWN_SERVER, "unknown MCP server '" + name + "' (configured: "
                    + configuredNames() + ")", null);
        }
        Optional<String> escape = guard.firstEscape(request.params());
        if (escape.isPresent()) {
            ObjectNode data = mapper.createObjectNode();
            data.put("path", escape.get());
            data.put("workspace", config.workspace().toString());
            LOG.warn("MCP call {} to '{}' refused: path outside the workspace: {}", request.method(), name,
                    forLog(escape.get()));
            throw fail(request, 403, RpcError.INVALID_PARAMS, "path outside the workspace", data);
        }
        String token = token(name, server, request);
        String sessionId = sessions.get(name);
        Instant start = clock.instant();
        McpTransport.Reply reply;
        try {
            reply = transport.post(server.url(), body, token, sessionId, server.timeout());
        } catch (TimeoutException e) {
            String message = "MCP server '" + name + "' did not answer within " + server.timeout().toMillis() + " ms";
            LOG.warn("{} ({})", message, request.method());
            LOG.debug("Timeout details", e);
            health.down(name, elapsedMs(start), clock.instant(), message);
            throw fail(request, 502, RpcError.UNREACHABLE, message, null);
        } catch (IOException e) {
            throw transportFailure(name, request, e, token, start);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw fail(request, 503, RpcError.INTERNAL_ERROR, "interrupted while waiting for MCP server '" + name
                    + "'", null);
        }
        return answer(name, request, reply, token, sessionId, start);
    }

    private RpcFailure transportFailure(String name, JsonRpcRequest request, IOException e, String token,
            Instant start) {
        long elapsed = elapsedMs(start);
        if (causeOf(e, BoundedBody.TooLarge.class) != null) {
            String message = "MCP server '" + name + "' sent a reply larger than " + hardLimit + " bytes";
            LOG.warn(message, e);
            health.down(name, elapsed, clock.instant(), message);
            return fail(request, 502, RpcError.INTERNAL_ERROR, message, null);
        }
        String message = "MCP server '" + name + "' is unreachable: " + scrub(describe(e), token);
        LOG.warn("{} ({})", message, request.method(), e);
        health.down(name, elapsed, clock.instant(), message);
        return fail(request, 502, RpcError.UNREACHABLE, message, null);
    }

    private GatewayReply answer(String name, JsonRpcRequest request, McpTransport.Reply reply, String token,
            String sentSessionId, Instant start) {
        long elapsed = elapsedMs(start);
        Instant now = clock.instant();
        rememberSession(name, reply, sentSessionId);
        int status = reply.status();
        if (status < 200 || status > 299) {
            String message = "MCP server '" + name + "' answered HTTP " + status;
            if (status >= 500) {
                health.down(name, elapsed, now, message);
            } else {
                health.up(name, elapsed, now, message);
            }
            LOG.warn("{} to {}", message, request.method());
            throw fail(request, 502, RpcError.INTERNAL_ERROR, message, upstreamDetails(reply, token));
        }
        if (request.isNotification()) {
            health.up(name, elapsed, now, null);
            return new GatewayReply(202, new byte[0]);
        }
        byte[] json = reply.isEventStream() ? EventStreamReply.responseIn(reply.body()) : reply.body();
        JsonNode parsed = json == null || json.length == 0 ? null : parseOrNull(json);
        if (parsed == null) {
            String message = "MCP server '" + name + "' did not reply with JSON (HTTP " + status + ", "
                    + (reply.contentType() == null ? "no content type" : reply.contentType()) + ", "
                    + reply.body().length + " bytes)";
            LOG.warn("{} to {}", message, request.method());
            health.down(name, elapsed, now, message);
            throw fail(request, 502, RpcError.NOT_JSON, message, upstreamDetails(reply, token));
        }
        if (!isResponse(parsed)) {
            String message = "MCP server '" + name + "' replied with JSON that is not a JSON-RPC 2.0 response";
            LOG.warn("{} to {}", message, request.method());
            health.down(name, elapsed, now, message);
            throw fail(request, 502, RpcError.INTERNAL_ERROR, message, upstreamDetails(reply, token));
        }
        health.up(name, elapsed, now, null);
        if (token != null && contains(json, token)) {
            json = scrub(new String(json, StandardCharsets.UTF_8), token).getBytes(StandardCharsets.UTF_8);
            JsonNode scrubbed = parseOrNull(json);
            if (scrubbed == null || !isResponse(scrubbed)) {
                throw fail(request, 502, RpcError.INTERNAL_ERROR, "MCP server '" + name
                        + "' replied with its own credential; the reply was withheld", null);
            }
            parsed = scrubbed;
        }
        return new GatewayReply(200, truncator.fit((ObjectNode) parsed, json));
    }

    private void rememberSession(String name, McpTransport.Reply reply, String sentSessionId) {
        if (reply.sessionId() != null && !reply.sessionId().isBlank()) {
            sessions.put(name, reply.sessionId());
        } else if (reply.status() == 404 && sentSessionId != null) {
            sessions.remove(name, sentSessionId);
        }
    }

    /** The server's token, {@code null} when it has none. */
    private String token(String name, McpServerConfig server, JsonRpcRequest request) {
        Secret secret = server.authToken();
        if (secret == null || !secret.isConfigured()) {
            return null;
        }
        try {
            return secret.value();
        } catch (MissingSecretException e) {
            String message = "MCP server '" + name + "' needs a token from the environment variable "
                    + e.variable() + ", which is not set";
            LOG.warn(message, e);
            health.down(name, 0, clock.instant(), message);
            throw fail(request, 503, RpcError.INTERNAL_ERROR, message, null);
        }
    }

    /** What the server sent with an error status, for {@code error.data}; never the token. */
    private ObjectNode upstreamDetails(McpTransport.Reply reply, String token) {
        ObjectNode data = mapper.createObjectNode();
        data.put("upstream_status", reply.status());
        JsonNode body = parseOrNull(reply.body());
        if (body != null && body.isObject() && body.get("error") != null && body.get("error").isObject()) {
            JsonNode error = parseOrNull(scrub(body.get("error").toString(), token).getBytes(StandardCharsets.UTF_8));
            if (error != null) {
                data.set("upstream_error", error);
                return data;
            }
        }
        String text = new String(reply.body(), StandardCharsets.UTF_8);
        if (!text.isBlank()) {
            String snippet = text.length() > SNIPPET_CHARS ? text.substring(0, SNIPPET_CHARS) + "…" : text;
            data.put("upstream_body", scrub(snippet, token));
        }
        return data;
    }

    // ---- probing ----

    /** A ping in flight, or the reason it could not be sent. */
    private record Probe(Instant start, Duration timeout, String token,
            CompletableFuture<HttpResponse<byte[]>> pending, String error) {
    }

    private Probe startProbe(McpServerConfig server) {
        Instant start = clock.instant();
        Duration timeout = server.timeout().compareTo(PROBE_TIMEOUT) < 0 ? server.timeout() : PROBE_TIMEOUT;
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

    private void finishProbe(String name, Probe probe) {
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
            health.down(name, elapsedMs(probe.start()), clock.instant(), scrub(describe(e), probe.token()));
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.debug("Interrupted while pinging MCP server '{}'", name, e);
            return;
        }
        long elapsed = elapsedMs(probe.start());
        Instant now = clock.instant();
        rememberSession(name, reply, null);
        if (reply.status() >= 500) {
            health.down(name, elapsed, now, "ping answered HTTP " + reply.status());
        } else if (reply.status() >= 300) {
            health.up(name, elapsed, now, "ping answered HTTP " + reply.status());
        } else {
            byte[] json = reply.isEventStream() ? EventStreamReply.responseIn(reply.body()) : reply.body();
            JsonNode parsed = json == null ? null : parseOrNull(json);
            if (parsed == null || !isResponse(parsed)) {
                health.down(name, elapsed, now, "ping answered with something that is not a JSON-RPC response");
            } else {
                health.up(name, elapsed, now, null);
            }
        }
    }

    // ---- helpers ----

    private RpcFailure fail(JsonRpcRequest request, int httpStatus, int code, String message, ObjectNode data) {
        return new RpcFailure(new RpcError(httpStatus, code, message, data), request.id());
    }

    private String configuredNames() {
        TreeSet<String> names = new TreeSet<>(config.servers().keySet());
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    private static boolean isResponse(JsonNode json) {
        if (!json.isObject()) {
            return false;
        }
        JsonNode version = json.get("jsonrpc");
        if (version == null || !"2.0".equals(version.asText())) {
            return false;
        }
        JsonNode error = json.get("error");
        return json.has("result") != (error != null) && (error == null || error.isObject());
    }

    private JsonNode parseOrNull(byte[] json) {
        try {
            JsonNode node = mapper.readTree(json);
            return node == null || node.isMissingNode() ? null : node;
        } catch (JsonProcessingException e) {
            return null; // not JSON: each caller turns this into its own error
        } catch (IOException e) {
            LOG.debug("Unreadable JSON", e);
            return null;
        }
    }

    private long elapsedMs(Instant start) {
        return Math.max(0, Duration.between(start, clock.instant()).toMillis());
    }

    /** The first exception in the chain that says something, such as "ConnectException: Connection refused". */
    private static String describe(Throwable e) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = e; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        for (Throwable t : chain) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getClass().getSimpleName() + ": " + t.getMessage();
            }
        }
        for (Throwable t : chain) {
            if (t instanceof ConnectException) {
                return "ConnectException: connection refused";
            }
        }
        return e.getClass().getSimpleName();
    }

    private static <T extends Throwable> T causeOf(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    /**
     * A value from a request as one quoted line for the log: control characters escaped (a path may carry
     * newlines to forge log lines), cut to {@value #SNIPPET_CHARS} characters.
     */
    private static String forLog(String value) {
        String cut = value.length() > SNIPPET_CHARS ? value.substring(0, SNIPPET_CHARS) + "…" : value;
        return new TextNode(cut).toString();
    }

    private static String scrub(String text, String token) {
        return token == null || token.isEmpty() ? text : text.replace(token, "****");
    }

    private static boolean contains(byte[] json, String token) {
        return !token.isEmpty() && new String(json, StandardCharsets.UTF_8).contains(token);
    }
}
