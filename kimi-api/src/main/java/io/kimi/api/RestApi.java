package io.kimi.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.api.ConsistentRead.Reads;
import io.kimi.config.KimiConfig;
import io.kimi.core.Session;
import io.kimi.core.SessionKind;
import io.kimi.core.SessionStatus;
import io.kimi.core.store.Page;
import io.kimi.core.store.SessionQuery;
import io.kimi.core.store.SessionReads;
import io.kimi.features.logs.LogSourceStatus;
import io.kimi.features.logs.LogWatcher;
import io.kimi.protocol.SessionList;
import io.kimi.services.internal.JsonViews;
import io.kimi.services.internal.ProxySessions;
import io.kimi.services.internal.RateLimiter;
import io.kimi.services.internal.SessionDeletion;
import io.kimi.services.internal.SessionNotFoundException;
import io.kimi.services.internal.convergence.BridgeStatus;
import io.kimi.services.internal.features.ContextFeatures;
import io.netty.handler.codec.http.HttpMethod;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/** The dashboard's REST routes for proxy sessions, providers, models and health. */
final class RestApi {
    private static final int RECENT_REQUESTS = 50;

    private final SessionReads reads;
    private final ProxySessions sessions;
    private final SessionDeletion deletion;
    private final KimiConfig config;
    private final JsonViews views;
    private final Clock clock;
    private final Instant started;
    private final Supplier<BridgeStatus> bridge;
    private final RateLimiter rateLimiter;
    private final ContextFeatures features;
    private final LogWatcher logWatcher;
    private final ResourceHealth resources;

    RestApi(SessionReads reads, ProxySessions sessions, SessionDeletion deletion, KimiConfig config,
            JsonViews views, Clock clock, RateLimiter rateLimiter, Supplier<BridgeStatus> bridge,
            ContextFeatures features, LogWatcher logWatcher, ResourceHealth resources) {
        this.resources = resources;
        this.features = features;
        this.logWatcher = logWatcher;
        this.bridge = bridge;
        this.reads = reads;
        this.sessions = sessions;
        this.deletion = deletion;
        this.config = config;
        this.views = views;
        this.clock = clock;
        this.started = clock.instant();
        this.rateLimiter = rateLimiter;
    }

    /** Adds the session, provider, model and health routes to {@code routes} and returns it. */
    Routes addTo(Routes routes) {
        return routes
                .add(HttpMethod.GET, "/health", this::health)
                .add(HttpMethod.GET, "/api/sessions", Reads.RECORDED, this::listSessions)
                .add(HttpMethod.POST, "/api/sessions", Reads.RECORDED, this::createSession)
                .add(HttpMethod.GET, "/api/sessions/active", Reads.RECORDED, this::activeSession)
                .add(HttpMethod.GET, "/api/sessions/{id}", Reads.RECORDED, this::getSession)
                .add(HttpMethod.DELETE, "/api/sessions/{id}", this::deleteSession)
                .add(HttpMethod.POST, "/api/sessions/{id}/activate", Reads.RECORDED, this::activate)
                .add(HttpMethod.GET, "/api/providers", this::providers)
                .add(HttpMethod.GET, "/api/models", this::models)
                .add(HttpMethod.GET, "/api/rate-limit", Reads.RECORDED, this::rateLimit);
    }

    private ApiResponse health(ApiRequest r) {
        ObjectNode n = views.mapper().createObjectNode();
        boolean dbOk;
        String dbError = null;
        try {
            reads.countSessions(SessionKind.PROXY);
            dbOk = true;
        } catch (RuntimeException e) {
            dbOk = false;
            dbError = e.getMessage();
        }
        BridgeStatus bridgeStatus = bridge.get();
        n.put("status", dbOk ? "opérationnel" : "dégradé")
                .put("code", dbOk ? "ok" : "degraded")
                .put("message", dbOk ? "Kimi Proxy Dashboard est en ligne"
                        : "Kimi Proxy Dashboard est en ligne, mais la base de données ne répond pas")
                .put("database", dbOk ? "ok" : "erreur : " + dbError)
                .put("uptime_seconds", Duration.between(started, clock.instant()).toSeconds())
                .put("providers", config.providers().size())
                .put("models", config.models().size())
                .put("active_session", sessions.active().map(Session::sessionId).orElse(null));
        n.set("convergence", views.mapper().valueToTree(BridgeView.of(bridgeStatus)));
        ObjectNode toggles = n.putObject("features");
        features.chain().transformers().forEach(t -> toggles.put(t.name(), features.toggles().isEnabled(t.name())));
        List<LogSourceStatus> logSources = logWatcher.status();
        n.set("log_watcher", logWatcher(logSources));
        ArrayNode checks = n.putArray("checks");
        for (HealthChecks.Check c : HealthChecks.of(dbOk, bridgeStatus, logSources)) {
            ObjectNode check = checks.addObject().put("check", c.check());
            if (c.name() != null) {
                check.put("name", c.name());
            }
            check.put("ok", c.ok()).put("code", c.code());
        }
        resources.addTo(n);
        return ApiResponse.json(dbOk ? 200 : 503, views.bytes(n));
    }

    /** Each watched log's state. */
    private ObjectNode logWatcher(List<LogSourceStatus> sources) {
        ObjectNode w = views.mapper().createObjectNode().put("enabled", config.logs().enabled());
        ArrayNode list = w.putArray("sources");
        for (LogSourceStatus s : sources) {
            list.addObject().put("name", s.name()).put("path", s.path().toString()).put("format", s.format())
                    .put("state", s.state()).put("position", s.position()).put("findings", s.findings())
                    .put("last_finding_at", s.lastFindingAt() == null ? null : s.lastFindingAt().toString())
                    .put("last_error", s.lastError()).put("skipped_lines", s.skippedLines());
        }
        return w;
    }

    private ApiResponse listSessions(ApiRequest r) throws Exception {
        int limit = r.intQuery("limit", 50, 1, SessionQuery.MAX_LIMIT);
        int offset = r.intQuery("offset", 0, 0, Integer.MAX_VALUE);
        String kind = r.query("kind");
        String status = r.query("status");
        Page<Session> page = reads.listSessions(new SessionQuery(
                kind == null ? null : SessionKind.fromWire(kind),
                status == null ? null : SessionStatus.fromWire(status), limit, offset));
        return ApiResponse.json(200, views.bytes(new SessionList(
                page.items().stream().map(views::sessionView).toList(), page.total(), limit, offset)));
    }

    private ApiResponse createSession(ApiRequest r) throws Exception {
        String name = null;
        String model = null;
        if (r.body().length > 0) {
            JsonNode body;
            try {
                body = views.mapper().readTree(r.body());
            } catch (IOException e) {
                throw new IllegalArgumentException("the body is not valid JSON: " + e.getMessage());
            }
            if (body != null && !body.isNull() && !body.isMissingNode()) {
                if (!body.isObject()) {
                    throw new IllegalArgumentException("the body must be a JSON object, e.g. {\"name\":\"...\"}");
                }
                name = optionalText(body, "name");
                model = optionalText(body, "model");
            }
        }
        Session created = sessions.createAndActivate(name, model);
        return ApiResponse.json(201, views.bytes(views.session(created)));
    }

    private ApiResponse activeSession(ApiRequest r) throws Exception {
        Session active = reads.findActiveSession().orElse(null);
        if (active == null) {
            return Errors.response(404, "no_active_session",
                    "No proxy session is active yet: one starts with the first proxied request, "
                            + "or create one with POST /api/sessions.");
        }
        ObjectNode n = views.session(active);
        n.set("recent_requests", views.requests(
                reads.listRequests(active.sessionId(), RECENT_REQUESTS, 0).items()));
        return ApiResponse.json(200, views.bytes(n));
    }

    private ApiResponse getSession(ApiRequest r) throws Exception {
        Session s = find(r.pathParam("id"));
        ObjectNode n = views.session(s);
        if (s.kind() == SessionKind.PROXY) {
            n.set("recent_requests", views.requests(reads.listRequests(s.sessionId(), RECENT_REQUESTS, 0).items()));
        }
        return ApiResponse.json(200, views.bytes(n));
    }

    private ApiResponse deleteSession(ApiRequest r) throws Exception {
        String id = r.pathParam("id");
        deletion.delete(id);
        ObjectNode n = views.mapper().createObjectNode().put("deleted", true).put("session_id", id);
        return ApiResponse.json(200, views.bytes(n));
    }

    private ApiResponse activate(ApiRequest r) throws Exception {
        String id = r.pathParam("id");
        Session s = find(id);
        if (s.kind() != SessionKind.PROXY) {
            throw new IllegalArgumentException("session " + id + " is a " + s.kind().wireName()
                    + " session; only proxy sessions can be active");
        }
        Session now = sessions.activate(id);
        return ApiResponse.json(200, views.bytes(views.session(now)));
    }

    private ApiResponse providers(ApiRequest r) {
        ObjectNode n = views.mapper().createObjectNode();
        ArrayNode list = n.putArray("providers");
        config.providers().values().forEach(p -> list.add(views.provider(p)));
        return ApiResponse.json(200, views.bytes(n));
    }

    private ApiResponse models(ApiRequest r) {
        ObjectNode n = views.mapper().createObjectNode();
        ArrayNode list = n.putArray("models");
        config.models().values().forEach(m -> list.add(views.model(m)));
        return ApiResponse.json(200, views.bytes(n));
    }

    /** Each provider's rate limits and what is left of them now. */
    private ApiResponse rateLimit(ApiRequest r) {
        ObjectNode n = views.mapper().createObjectNode();
        ArrayNode list = n.putArray("providers");
        rateLimiter.usage().forEach(u -> list.add(views.rateLimit(u)));
        return ApiResponse.json(200, views.bytes(n));
    }

    private Session find(String id) {
        return reads.findSession(id).orElseThrow(() -> new SessionNotFoundException(id));
    }

    private static String optionalText(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException(field + ": expected a string");
        }
        return v.asText();
    }
}
