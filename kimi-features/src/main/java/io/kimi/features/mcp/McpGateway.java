package io.kimi.features.mcp;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.kimi.config.McpConfig;
import io.kimi.config.McpServerConfig;
import io.kimi.config.MissingSecretException;
import io.kimi.config.Secret;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeoutException;
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
 *
 * <p>This class handles a call; its parts each have one job: {@link JsonRpcRequest} reads the request,
 * {@link WorkspaceGuard} confines its paths, {@link McpTransport} sends it, {@link McpSessions} keeps the servers'
 * session ids, {@link ReplyJson} reads the reply (and scrubs the token), {@link ResultTruncator} fits it to the
 * size limit, {@link ServerHealth} records each outcome and {@link McpProber} pings.
 */
public final class McpGateway {

    private static final Logger LOG = LoggerFactory.getLogger(McpGateway.class);

    static final int PROBE_CACHE_SECONDS = 10;
    private static final long MIN_HARD_LIMIT = 16L << 20;
    private static final long MAX_HARD_LIMIT = 512L << 20;

    private final McpConfig config;
    private final Clock clock;
    private final ObjectMapper mapper;
    private final McpTransport transport;
    private final long hardLimit;
    private final WorkspaceGuard guard;
    private final ResultTruncator truncator;
    private final ServerHealth health;
    private final McpSessions sessions = new McpSessions();
    private final ReplyJson replies;
    private final McpProber prober;

    /**
     * @param config the servers, workspace and limits
     * @param http the client calls go through (its connect timeout and proxy settings apply; redirects are
     *     followed only if it is configured to)
     * @param clock the time of health records and of the probe cache
     * @param mapper the server's configured JSON mapper (see {@code ServerJson})
     */
    public McpGateway(McpConfig config, HttpClient http, Clock clock, ObjectMapper mapper) {
        this.config = requireNonNull(config, "config");
        this.clock = requireNonNull(clock, "clock");
        this.mapper = requireNonNull(mapper, "mapper");
        this.hardLimit = Math.min(MAX_HARD_LIMIT, Math.max(MIN_HARD_LIMIT, 16L * config.maxResultBytes()));
        this.transport = new McpTransport(requireNonNull(http, "http"), hardLimit);
        this.guard = new WorkspaceGuard(config.workspace());
        this.truncator = new ResultTruncator(mapper, config.maxResultBytes());
        this.health = new ServerHealth(config.servers());
        this.replies = new ReplyJson(mapper);
        this.prober = new McpProber(config, clock, mapper, transport, sessions, health);
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
        prober.probeIfDue();
        return servers();
    }

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
        if (Failures.causedBy(e, BoundedBody.TooLarge.class)) {
            String message = "MCP server '" + name + "' sent a reply larger than " + hardLimit + " bytes";
            LOG.warn(message, e);
            health.down(name, elapsed, clock.instant(), message);
            return fail(request, 502, RpcError.INTERNAL_ERROR, message, null);
        }
        String message = "MCP server '" + name + "' is unreachable: "
                + ReplyJson.scrub(Failures.describe(e), token);
        LOG.warn("{} ({})", message, request.method(), e);
        health.down(name, elapsed, clock.instant(), message);
        return fail(request, 502, RpcError.UNREACHABLE, message, null);
    }

    private GatewayReply answer(String name, JsonRpcRequest request, McpTransport.Reply reply, String token,
            String sentSessionId, Instant start) {
        long elapsed = elapsedMs(start);
        Instant now = clock.instant();
        sessions.remember(name, reply, sentSessionId);
        int status = reply.status();
        if (status < 200 || status > 299) {
            String message = "MCP server '" + name + "' answered HTTP " + status;
            if (status >= 500) {
                health.down(name, elapsed, now, message);
            } else {
                health.up(name, elapsed, now, message);
            }
            LOG.warn("{} to {}", message, request.method());
            throw fail(request, 502, RpcError.INTERNAL_ERROR, message, replies.upstreamDetails(reply, token));
        }
        if (request.isNotification()) {
            health.up(name, elapsed, now, null);
            return new GatewayReply(202, new byte[0]);
        }
        byte[] json = ReplyJson.jsonOf(reply);
        JsonNode parsed = json == null || json.length == 0 ? null : replies.parseOrNull(json);
        if (parsed == null) {
            String message = "MCP server '" + name + "' did not reply with JSON (HTTP " + status + ", "
                    + (reply.contentType() == null ? "no content type" : reply.contentType()) + ", "
                    + reply.body().length + " bytes)";
            LOG.warn("{} to {}", message, request.method());
            health.down(name, elapsed, now, message);
            throw fail(request, 502, RpcError.NOT_JSON, message, replies.upstreamDetails(reply, token));
        }
        if (!ReplyJson.isResponse(parsed)) {
            String message = "MCP server '" + name + "' replied with JSON that is not a JSON-RPC 2.0 response";
            LOG.warn("{} to {}", message, request.method());
            health.down(name, elapsed, now, message);
            throw fail(request, 502, RpcError.INTERNAL_ERROR, message, replies.upstreamDetails(reply, token));
        }
        health.up(name, elapsed, now, null);
        if (ReplyJson.contains(json, token)) {
            json = ReplyJson.scrub(new String(json, StandardCharsets.UTF_8), token).getBytes(StandardCharsets.UTF_8);
            JsonNode scrubbed = replies.parseOrNull(json);
            if (scrubbed == null || !ReplyJson.isResponse(scrubbed)) {
                throw fail(request, 502, RpcError.INTERNAL_ERROR, "MCP server '" + name
                        + "' replied with its own credential; the reply was withheld", null);
            }
            parsed = scrubbed;
        }
        return new GatewayReply(200, truncator.fit((ObjectNode) parsed, json));
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

    private RpcFailure fail(JsonRpcRequest request, int httpStatus, int code, String message, ObjectNode data) {
        return new RpcFailure(new RpcError(httpStatus, code, message, data), request.id());
    }

    private String configuredNames() {
        TreeSet<String> names = new TreeSet<>(config.servers().keySet());
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    private long elapsedMs(Instant start) {
        return Math.max(0, Duration.between(start, clock.instant()).toMillis());
    }

    /**
     * A value from a request as one quoted line for the log: control characters escaped (a path may carry
     * newlines to forge log lines), cut to {@value ReplyJson#SNIPPET_CHARS} characters.
     */
    private static String forLog(String value) {
        String cut = value.length() > ReplyJson.SNIPPET_CHARS ? value.substring(0, ReplyJson.SNIPPET_CHARS) + "…"
                : value;
        return new TextNode(cut).toString();
    }
}
