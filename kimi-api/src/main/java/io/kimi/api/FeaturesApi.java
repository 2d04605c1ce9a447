package io.kimi.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
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
import io.kimi.protocol.CompactionState;
import io.kimi.protocol.FeatureList;
import io.kimi.protocol.FeatureState;
import io.kimi.protocol.MaskList;
import io.kimi.protocol.MaskView;
import io.kimi.protocol.McpServerView;
import io.kimi.protocol.McpServers;
import io.kimi.protocol.MemoryFigures;
import io.kimi.protocol.SanitizerStats;
import io.kimi.protocol.SessionMemory;
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
import java.util.ArrayList;
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
        List<FeatureState> list = new ArrayList<>();
        FeatureToggles toggles = features.toggles();
        int order = 1;
        for (var t : features.chain().transformers()) {
            list.add(new FeatureState(t.name(), toggles.isEnabled(t.name()), order++));
        }
        return ApiResponse.json(200, views.bytes(new FeatureList(list)));
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
        return ApiResponse.json(200, views.bytes(new FeatureState(name, enabled, null)));
    }

    private ApiResponse toggleSanitizer(ApiRequest r) throws IOException {
        Boolean enabled = r.body().length == 0 ? null : enabledFlag(r.body());
        if (r.body().length > 0 && enabled == null) {
            throw new IllegalArgumentException("the body must be empty (to flip) or {\"enabled\": true|false}");
        }
        boolean now = enabled != null ? enabled : !features.toggles().isEnabled(Sanitizer.NAME);
        features.toggles().set(Sanitizer.NAME, now);
        return ApiResponse.json(200, views.bytes(FeatureState.enabled(now)));
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
        return ApiResponse.json(200, views.bytes(new SanitizerStats(features.toggles().isEnabled(Sanitizer.NAME),
                c.thresholdTokens(), c.previewChars(), c.keepLastToolResults(), stored.masks(),
                stored.originalTokens(), stored.placeholderTokens(), stored.savedTokens(), counters.requestsSeen(),
                counters.requestsMasked(), counters.messagesMasked(), counters.tokensSaved())));
    }

    private ApiResponse listMasks(ApiRequest r) throws Exception {
        int limit = r.intQuery("limit", 50, 1, 500);
        int offset = r.intQuery("offset", 0, 0, Integer.MAX_VALUE);
        Page<MaskedContent> page = records.listMasks(limit, offset);
        List<MaskView> masks = page.items().stream().map(m -> mask(m, false)).toList();
        return ApiResponse.json(200, views.bytes(new MaskList(masks, page.total(), limit, offset)));
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

    private static MaskView mask(MaskedContent m, boolean withContent) {
        return new MaskView(m.hash(), m.sessionId(), m.requestId(), m.role(), m.toolName(), m.originalTokens(),
                m.placeholderTokens(), m.originalTokens() - m.placeholderTokens(), m.createdAt().toString(),
                preview(m.content()), withContent ? m.content() : null);
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
        OptionalInt seen = features.compaction().seenMessages(id);
        return ApiResponse.json(200, views.bytes(new CompactionState(id,
                features.toggles().isEnabled(SessionCompactions.NAME), c.auto(), c.threshold(),
                c.keepLastExchanges(), features.compaction().running(id), seen.isPresent(), seen.orElse(0),
                features.compaction().active(id).stream().map(CompactionViews::record).toList(),
                features.compaction().history(id).stream().map(CompactionViews::record).toList())));
    }

    private ApiResponse previewCompaction(ApiRequest r) throws Exception {
        String id = proxySession(r.pathParam("id"));
        requireCompactionOn();
        CompactionPreview p = features.compaction().preview(id).get(waitSeconds(), TimeUnit.SECONDS);
        return ApiResponse.json(200, views.bytes(CompactionViews.preview(p)));
    }

    private ApiResponse executeCompaction(ApiRequest r) throws Exception {
        String id = proxySession(r.pathParam("id"));
        requireCompactionOn();
        CompactionRecord rec = features.compaction().execute(id, false).get(waitSeconds(), TimeUnit.SECONDS);
        return ApiResponse.json(201, views.bytes(CompactionViews.record(rec)));
    }

    private ApiResponse undoCompaction(ApiRequest r) throws Exception {
        String id = proxySession(r.pathParam("id"));
        Optional<CompactionRecord> undone = features.compaction().undo(id).get(10, TimeUnit.SECONDS);
        if (undone.isEmpty()) {
            return Errors.response(409, "no_active_compaction", "Session " + id + " has no compaction to undo.");
        }
        return ApiResponse.json(200, views.bytes(CompactionViews.record(undone.get())));
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

    private ApiResponse memoryStats(ApiRequest r) throws Exception {
        return ApiResponse.json(200, views.bytes(memory(records.memoryStats(null))));
    }

    private ApiResponse sessionMemory(ApiRequest r) throws Exception {
        String id = r.pathParam("id");
        if (sessions.get(id).isEmpty() && reads.findSession(id).isEmpty()) {
            throw new SessionNotFoundException(id);
        }
        return ApiResponse.json(200, views.bytes(new SessionMemory(id, memory(records.memoryStats(id)))));
    }

    private static MemoryFigures memory(MemoryStats s) {
        return new MemoryFigures(s.requests(), s.requestsWithMemory(), s.memoryTokens(), s.chatTokens(), s.markers(),
                Math.round(s.memoryRatio() * 10_000) / 10_000.0);
    }

    private ApiResponse mcpServers(ApiRequest r) {
        List<McpServerStatus> servers = features.gateway().probe();
        List<McpServerView> list = servers.stream().map(s -> new McpServerView(s.name(), s.url(), s.status(),
                s.latencyMs(), s.lastChecked() == null ? null : s.lastChecked().toString(), s.lastError())).toList();
        return ApiResponse.json(200, views.bytes(new McpServers(features.workspace().toString(), list)));
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
