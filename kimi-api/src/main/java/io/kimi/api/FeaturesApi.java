package io.kimi.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.api.ConsistentRead.Reads;
import io.kimi.config.CompactionConfig;
import io.kimi.config.SanitizerConfig;
import io.kimi.core.CompactionRecord;
import io.kimi.core.MaskedContent;
import io.kimi.core.Session;
import io.kimi.core.store.FeatureRecords;
import io.kimi.core.store.MaskStats;
import io.kimi.core.store.MemoryStats;
import io.kimi.core.store.Page;
import io.kimi.core.store.SessionReads;
import io.kimi.features.FeatureToggles;
import io.kimi.features.compaction.CompactionPreview;
import io.kimi.features.compaction.SessionCompactions;
import io.kimi.features.mcp.GatewayReply;
import io.kimi.features.mcp.McpServerStatus;
import io.kimi.features.sanitizer.MaskVault;
import io.kimi.features.sanitizer.Sanitizer;
import io.kimi.features.sanitizer.SanitizerCounters;
import io.kimi.services.internal.JsonViews;
import io.kimi.services.internal.ProxySessions;
import io.kimi.services.internal.SessionNotFoundException;
import io.kimi.services.internal.features.CompactionViews;
import io.kimi.services.internal.features.ContextFeatures;
import io.kimi.services.internal.features.FeatureDisabledException;
import io.netty.handler.codec.http.HttpMethod;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * The context features' REST routes (see {@code docs/features.md}): switches, sanitizer stats and masks,
 * compaction preview/execute/undo, MCP memory figures, MCP server health and the MCP gateway.
 */
final class FeaturesApi {
    private static final int PREVIEW_CHARS = 200;

    private final ContextFeatures features;
    private final FeatureRecords records;
    private final SessionReads reads;
    private final ProxySessions sessions;
    private final JsonViews views;

    FeaturesApi(ContextFeatures features, FeatureRecords records, SessionReads reads, ProxySessions sessions,
            JsonViews views) {
        this.features = requireNonNull(features, "features");
        this.records = requireNonNull(records, "records");
        this.reads = requireNonNull(reads, "reads");
        this.sessions = requireNonNull(sessions, "sessions");
        this.views = requireNonNull(views, "views");
    }

    Routes addTo(Routes routes) {
        return routes
                .add(HttpMethod.GET, "/api/features", this::listFeatures)
                .add(HttpMethod.PUT, "/api/features/{name}", this::setFeature)
                .add(HttpMethod.POST, "/api/sanitizer/toggle", this::toggleSanitizer)
                .add(HttpMethod.GET, "/api/sanitizer/stats", Reads.RECORDED, this::sanitizerStats)
                .add(HttpMethod.GET, "/api/mask", Reads.RECORDED, this::listMasks)
                .add(HttpMethod.GET, "/api/mask/{hash}", this::getMask)
                .add(HttpMethod.GET, "/api/sessions/{id}/compaction", Reads.RECORDED, this::compactionState)
                .add(HttpMethod.POST, "/api/sessions/{id}/compaction/preview", this::previewCompaction)
                .add(HttpMethod.POST, "/api/sessions/{id}/compaction", this::executeCompaction)
                .add(HttpMethod.POST, "/api/sessions/{id}/compaction/undo", this::undoCompaction)
                .add(HttpMethod.GET, "/api/memory/stats", Reads.RECORDED, this::memoryStats)
                .add(HttpMethod.GET, "/api/sessions/{id}/memory", Reads.RECORDED, this::sessionMemory)
                .add(HttpMethod.GET, "/api/memory/servers", this::mcpServers)
                .add(HttpMethod.POST, "/api/mcp-gateway/{server}/rpc", this::mcpGateway);
    }

    private ApiResponse listFeatures(ApiRequest r) {
        ObjectNode n = views.mapper().createObjectNode();
        ArrayNode list = n.putArray("features");
        FeatureToggles toggles = features.toggles();
        int order = 1;
        for (var t : features.chain().transformers()) {
            list.addObject().put("name", t.name()).put("enabled", toggles.isEnabled(t.name())).put("order", order++);
        }
        return ApiResponse.json(200, views.bytes(n));
    }

    private ApiResponse setFeature(ApiRequest r) throws IOException {
        String name = r.pathParam("name");
        if (!features.toggles().isKnown(name)) {
            return Errors.response(404, "feature_not_found", "No feature '" + name + "'; known: "
                    + String.join(", ", features.toggles().snapshot().keySet()) + ".");
        }
        Boolean enabled = enabledFlag(r.body());
        if (enabled == null) {
            throw new IllegalArgumentException("the body must be {\"enabled\": true} or {\"enabled\": false}");
        }
        features.toggles().set(name, enabled);
        return ApiResponse.json(200, views.bytes(views.mapper().createObjectNode().put("name", name)
                .put("enabled", enabled)));
    }

    private ApiResponse toggleSanitizer(ApiRequest r) throws IOException {
        Boolean enabled = r.body().length == 0 ? null : enabledFlag(r.body());
        if (r.body().length > 0 && enabled == null) {
            throw new IllegalArgumentException("the body must be empty (to flip) or {\"enabled\": true|false}");
        }
        boolean now = enabled != null ? enabled : !features.toggles().isEnabled(Sanitizer.NAME);
        features.toggles().set(Sanitizer.NAME, now);
        return ApiResponse.json(200, views.bytes(views.mapper().createObjectNode().put("enabled", now)));
    }

    /** {@code enabled} of a JSON object body, or null when absent or not a boolean. */
    private Boolean enabledFlag(byte[] body) throws IOException {
        if (body.length == 0) {
            return null;
        }
        JsonNode n = views.mapper().readTree(body);
        JsonNode e = n == null ? null : n.get("enabled");
        return e != null && e.isBoolean() ? e.booleanValue() : null;
    }

    private ApiResponse sanitizerStats(ApiRequest r) throws Exception {
        SanitizerConfig c = features.config().sanitizer();
        MaskStats stored = records.maskStats();
        SanitizerCounters counters = features.vault().counters();
        ObjectNode n = views.mapper().createObjectNode()
                .put("enabled", features.toggles().isEnabled(Sanitizer.NAME))
                .put("threshold_tokens", c.thresholdTokens())
                .put("preview_chars", c.previewChars())
                .put("keep_last_tool_results", c.keepLastToolResults())
                .put("masks", stored.masks())
                .put("original_tokens", stored.originalTokens())
                .put("placeholder_tokens", stored.placeholderTokens())
                .put("saved_tokens", stored.savedTokens())
                .put("requests_seen", counters.requestsSeen())
                .put("requests_masked", counters.requestsMasked())
                .put("messages_masked", counters.messagesMasked())
                .put("tokens_saved_since_start", counters.tokensSaved());
        return ApiResponse.json(200, views.bytes(n));
    }

    private ApiResponse listMasks(ApiRequest r) throws Exception {
        int limit = r.intQuery("limit", 50, 1, 500);
        int offset = r.intQuery("offset", 0, 0, Integer.MAX_VALUE);
        Page<MaskedContent> page = records.listMasks(limit, offset);
        ObjectNode n = views.mapper().createObjectNode();
        ArrayNode list = n.putArray("masks");
        page.items().forEach(m -> list.add(mask(m, false)));
        n.put("total", page.total()).put("limit", limit).put("offset", offset);
        return ApiResponse.json(200, views.bytes(n));
    }

    private ApiResponse getMask(ApiRequest r) {
        String hash = r.pathParam("hash");
        if (!MaskVault.isValidHash(hash)) {
            return Errors.response(400, "invalid_hash", "A mask hash is 32 hexadecimal digits; got '"
                    + (hash.length() > 80 ? hash.substring(0, 80) + "…" : hash) + "'.");
        }
        Optional<MaskedContent> mask = features.vault().find(hash);
        if (mask.isEmpty()) {
            return Errors.response(404, "mask_not_found", "No masked content has hash " + hash + ".");
        }
        if ("text".equals(r.query("format"))) {
            return new ApiResponse(200, "text/plain; charset=utf-8",
                    mask.get().content().getBytes(StandardCharsets.UTF_8), Map.of());
        }
        return ApiResponse.json(200, views.bytes(mask(mask.get(), true)));
    }

    private ObjectNode mask(MaskedContent m, boolean withContent) {
        ObjectNode n = views.mapper().createObjectNode()
                .put("hash", m.hash())
                .put("session_id", m.sessionId())
                .put("request_id", m.requestId())
                .put("role", m.role())
                .put("tool_name", m.toolName())
                .put("original_tokens", m.originalTokens())
                .put("placeholder_tokens", m.placeholderTokens())
                .put("saved_tokens", m.originalTokens() - m.placeholderTokens())
                .put("created_at", m.createdAt().toString())
                .put("preview", preview(m.content()));
        if (withContent) {
            n.put("content", m.content());
        }
        return n;
    }

    private static String preview(String content) {
        if (content.length() <= PREVIEW_CHARS) {
            return content;
        }
        int end = PREVIEW_CHARS;
        if (Character.isHighSurrogate(content.charAt(end - 1))) {
            end--;
        }
        return content.substring(0, end) + "…";
    }

    private ApiResponse compactionState(ApiRequest r) throws Exception {
        String id = proxySession(r.pathParam("id"));
        CompactionConfig c = features.config().compaction();
        ObjectNode n = views.mapper().createObjectNode()
                .put("session_id", id)
                .put("enabled", features.toggles().isEnabled(SessionCompactions.NAME))
                .put("auto", c.auto())
                .put("threshold", c.threshold())
                .put("keep_last_exchanges", c.keepLastExchanges())
                .put("running", features.compaction().running(id));
        OptionalInt seen = features.compaction().seenMessages(id);
        n.put("conversation_seen", seen.isPresent()).put("messages", seen.orElse(0));
        ArrayNode active = n.putArray("active");
        features.compaction().active(id).forEach(rec -> active.add(record(rec)));
        ArrayNode history = n.putArray("history");
        features.compaction().history(id).forEach(rec -> history.add(record(rec)));
        return ApiResponse.json(200, views.bytes(n));
    }

    private ApiResponse previewCompaction(ApiRequest r) throws Exception {
        String id = proxySession(r.pathParam("id"));
        requireCompactionOn();
        CompactionPreview p = features.compaction().preview(id).get(waitSeconds(), TimeUnit.SECONDS);
        return ApiResponse.json(200, views.bytes(CompactionViews.preview(views.mapper().createObjectNode(), p)));
    }

    private ApiResponse executeCompaction(ApiRequest r) throws Exception {
        String id = proxySession(r.pathParam("id"));
        requireCompactionOn();
        CompactionRecord rec = features.compaction().execute(id, false).get(waitSeconds(), TimeUnit.SECONDS);
        return ApiResponse.json(201, views.bytes(record(rec)));
    }

    private ApiResponse undoCompaction(ApiRequest r) throws Exception {
        String id = proxySession(r.pathParam("id"));
        Optional<CompactionRecord> undone = features.compaction().undo(id).get(10, TimeUnit.SECONDS);
        if (undone.isEmpty()) {
            return Errors.response(409, "no_active_compaction", "Session " + id + " has no compaction to undo.");
        }
        return ApiResponse.json(200, views.bytes(record(undone.get())));
    }

    private void requireCompactionOn() {
        if (!features.toggles().isEnabled(SessionCompactions.NAME)) {
            throw new FeatureDisabledException("Compaction is turned off (PUT /api/features/compaction with "
                    + "{\"enabled\": true} turns it on).");
        }
    }

    private long waitSeconds() {
        Duration summary = features.config().compaction().summaryTimeout();
        return summary.toSeconds() + 10;
    }

    private ObjectNode record(CompactionRecord rec) {
        return CompactionViews.record(views.mapper().createObjectNode(), rec);
    }

    private ApiResponse memoryStats(ApiRequest r) throws Exception {
        return ApiResponse.json(200, views.bytes(memory(records.memoryStats(null))));
    }

    private ApiResponse sessionMemory(ApiRequest r) throws Exception {
        String id = r.pathParam("id");
        if (sessions.get(id).isEmpty() && reads.findSession(id).isEmpty()) {
            throw new SessionNotFoundException(id);
        }
        ObjectNode n = views.mapper().createObjectNode().put("session_id", id);
        n.setAll(memory(records.memoryStats(id)));
        return ApiResponse.json(200, views.bytes(n));
    }

    private ObjectNode memory(MemoryStats s) {
        return views.mapper().createObjectNode()
                .put("requests", s.requests())
                .put("requests_with_memory", s.requestsWithMemory())
                .put("memory_tokens", s.memoryTokens())
                .put("chat_tokens", s.chatTokens())
                .put("markers", s.markers())
                .put("memory_ratio", Math.round(s.memoryRatio() * 10_000) / 10_000.0);
    }

    private ApiResponse mcpServers(ApiRequest r) {
        List<McpServerStatus> servers = features.gateway().probe();
        ObjectNode n = views.mapper().createObjectNode()
                .put("workspace", features.workspace().toString());
        ArrayNode list = n.putArray("servers");
        for (McpServerStatus s : servers) {
            list.addObject().put("name", s.name()).put("url", s.url()).put("status", s.status())
                    .put("latency_ms", s.latencyMs())
                    .put("last_checked", s.lastChecked() == null ? null : s.lastChecked().toString())
                    .put("last_error", s.lastError());
        }
        return ApiResponse.json(200, views.bytes(n));
    }

    private ApiResponse mcpGateway(ApiRequest r) {
        GatewayReply reply = features.gateway().forward(r.pathParam("server"), r.body());
        return ApiResponse.json(reply.httpStatus(), reply.json());
    }

    /** The id of an existing proxy session, else 404 (convergence sessions have no compaction). */
    private String proxySession(String id) {
        return sessions.get(id).map(Session::sessionId).orElseThrow(() -> new SessionNotFoundException(id));
    }
}
