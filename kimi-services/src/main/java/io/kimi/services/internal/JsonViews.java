package io.kimi.services.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.config.KimiConfig;
import io.kimi.config.ModelConfig;
import io.kimi.config.ProviderConfig;
import io.kimi.core.ConvergenceTotals;
import io.kimi.core.Event;
import io.kimi.core.RequestRecord;
import io.kimi.core.Session;
import io.kimi.core.SessionKind;
import io.kimi.core.SessionTotals;
import io.kimi.core.TokenUsage;
import java.time.Instant;
import java.util.List;

/**
 * The wire form (snake_case JSON) of our records: one place, so every REST route, WebSocket message and export
 * shows them the same way. Thread-safe.
 */
public final class JsonViews {
    private final ObjectMapper json;
    private final KimiConfig config;

    public JsonViews(ObjectMapper json, KimiConfig config) {
        this.json = json;
        this.config = config;
    }

    public ObjectMapper mapper() {
        return json;
    }

    /**
     * A session. Both kinds share the seed-002 fields; proxy sessions add provider, model, token totals and the
     * context gauge, convergence sessions their {@code final_state} and {@code metrics}.
     */
    public ObjectNode session(Session s) {
        ObjectNode n = json.createObjectNode();
        n.put("session_id", s.sessionId())
                .put("kind", s.kind().wireName())
                .put("name", s.name())
                .put("target", s.target())
                .put("status", s.status().wireName())
                .put("start_time", time(s.startTime()))
                .put("end_time", time(s.endTime()))
                .put("current_state", s.currentState())
                .put("current_iteration", s.currentIteration());
        n.set("config", parseOrEmpty(s.configJson()));
        if (s.kind() == SessionKind.CONVERGENCE) {
            ConvergenceTotals c = s.convergence();
            n.put("final_state", s.endTime() != null ? s.currentState() : null);
            n.putObject("metrics")
                    .put("total_findings", c.totalFindings())
                    .put("total_fixes", c.totalFixes())
                    .put("total_vulnerabilities", c.totalVulnerabilities())
                    .put("tests_passed", c.testsPassed())
                    .put("tests_failed", c.testsFailed());
            return n;
        }
        n.put("provider", s.provider())
                .put("model", s.model())
                .put("context_window", s.contextWindow())
                .put("active", s.active());
        SessionTotals t = s.totals();
        n.putObject("totals")
                .put("requests", t.requests())
                .put("failed_requests", t.failedRequests())
                .put("prompt_tokens", t.promptTokens())
                .put("completion_tokens", t.completionTokens())
                .put("total_tokens", t.totalTokens())
                .put("cached_tokens", t.cachedTokens())
                .put("estimated_prompt_tokens", t.estimatedPromptTokens())
                .put("cost_usd", t.costUsd());
        double percent = s.contextPercent();
        n.putObject("context")
                .put("tokens", t.contextTokens())
                .put("window", s.contextWindow())
                .put("percent", ContextPercent.shown(percent))
                .put("level", config.thresholds().level(percent));
        return n;
    }

    public ObjectNode request(RequestRecord r) {
        ObjectNode n = json.createObjectNode();
        TokenUsage used = r.effective();
        n.put("request_id", r.requestId())
                .put("session_id", r.sessionId())
                .put("timestamp", time(r.timestamp()))
                .put("provider", r.provider())
                .put("model", r.model())
                .put("upstream_model", r.upstreamModel())
                .put("stream", r.stream())
                .put("status", r.status().wireName())
                .put("http_status", r.httpStatus())
                .put("error_type", r.errorType())
                .put("error_message", r.errorMessage())
                .put("prompt_tokens", used.promptTokens())
                .put("completion_tokens", used.completionTokens())
                .put("total_tokens", used.totalTokens())
                .put("cached_tokens", used.cachedPromptTokens())
                .put("usage_source", r.usageSource().wireName())
                .put("estimated_prompt_tokens", r.estimated().promptTokens());
        putEstimatedCompletion(n, r);
        TokenUsage rep = r.reported();
        if (rep == null) {
            n.putNull("reported_prompt_tokens").putNull("reported_completion_tokens");
        } else {
            n.put("reported_prompt_tokens", rep.promptTokens()).put("reported_completion_tokens",
                    rep.completionTokens());
        }
        n.put("cost_usd", r.costUsd())
                .put("latency_ms", r.latencyMs())
                .put("ttft_ms", r.ttftMs())
                .put("source", r.source())
                .put("estimated_reply_bytes", r.estimatedReplyBytes())
                .put("accounting_error", r.accountingError());
        return n;
    }

    /**
     * {@code estimated_completion_tokens}: our count of the completion, {@code null} when it was not counted (the
     * provider reported usage and the request was not in the sample, {@code [server] estimate_sample_every}).
     */
    public static ObjectNode putEstimatedCompletion(ObjectNode n, RequestRecord r) {
        if (r.completionEstimated()) {
            n.put("estimated_completion_tokens", r.estimated().completionTokens());
        } else {
            n.putNull("estimated_completion_tokens");
        }
        return n;
    }

    public ArrayNode requests(List<RequestRecord> records) {
        ArrayNode a = json.createArrayNode();
        records.forEach(r -> a.add(request(r)));
        return a;
    }

    public ObjectNode provider(ProviderConfig p) {
        ObjectNode n = json.createObjectNode();
        n.put("key", p.key())
                .put("type", p.type().wireName())
                .put("base_url", p.baseUrl().toString())
                .put("has_api_key", p.apiKey().isResolved())
                .put("api_key_env", p.apiKey().variable().orElse(null))
                .put("stream_usage", p.streamUsage());
        ArrayNode models = n.putArray("models");
        config.models().values().stream().filter(m -> m.provider().equals(p.key())).forEach(m -> models.add(m.key()));
        return n;
    }

    public ObjectNode model(ModelConfig m) {
        ObjectNode n = json.createObjectNode();
        n.put("key", m.key())
                .put("provider", m.provider())
                .put("upstream_model", m.upstreamModel())
                .put("context_window", m.contextWindow())
                .put("encoding", m.encoding().wireName());
        n.putObject("prices_per_million").put("input", m.prices().input()).put("output", m.prices().output())
                .put("cached_input", m.prices().cachedInput());
        return n;
    }

    /** A provider's rate limits and availability; limits not set are {@code null}. */
    public ObjectNode rateLimit(RateLimitUsage u) {
        ObjectNode n = json.createObjectNode();
        n.put("provider", u.provider())
                .put("requests_per_minute", u.requestsPerMinute())
                .put("tokens_per_minute", u.tokensPerMinute())
                .put("requests_available", u.requestsAvailable())
                .put("tokens_available", u.tokensAvailable())
                .put("limited", u.limited());
        return n;
    }

    /** An event, flat, as seed 002 shows it: {@code event_id, timestamp, session_id, ..., data}. */
    public ObjectNode event(Event e) {
        return event(e, parseOrEmpty(e.dataJson()));
    }

    /** As {@link #event(Event)}, with the event's data already parsed (the tree its {@code dataJson} came from). */
    public ObjectNode event(Event e, JsonNode data) {
        ObjectNode n = json.createObjectNode();
        n.put("event_id", e.eventId())
                .put("timestamp", time(e.timestamp()))
                .put("session_id", e.sessionId())
                .put("iteration", e.iteration())
                .put("state", e.state())
                .put("event_type", e.eventType());
        n.set("data", data);
        return n;
    }

    public String text(JsonNode node) {
        try {
            return json.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("serialising a JSON tree failed", e);
        }
    }

    public KimiConfig config() {
        return config;
    }

    public byte[] bytes(JsonNode node) {
        try {
            return json.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("serialising a JSON tree failed", e);
        }
    }

    private JsonNode parseOrEmpty(String text) {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            return json.createObjectNode().put("unparsed", text);
        }
    }

    private static String time(Instant t) {
        return t == null ? null : t.toString();
    }
}
