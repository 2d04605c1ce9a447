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
import io.kimi.protocol.ContextFill;
import io.kimi.protocol.ConvergenceSessionView;
import io.kimi.protocol.EventView;
import io.kimi.protocol.ProxySessionView;
import io.kimi.protocol.RequestFigures;
import io.kimi.protocol.RequestView;
import io.kimi.protocol.SessionHeader;
import io.kimi.protocol.SessionView;
import io.kimi.protocol.TokenCounts;
import java.time.Instant;
import java.util.List;

/**
 * Our records in their wire form: the {@code kimi-protocol} records (where each wire field is named) built from
 * the domain records, and as JSON trees for the routes that add to them. One place, so every REST route,
 * WebSocket message and export shows them the same way. Thread-safe.
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
        return json.valueToTree(sessionView(s));
    }

    /** As {@link #session(Session)}, as its record. */
    public SessionView sessionView(Session s) {
        SessionHeader header = new SessionHeader(s.sessionId(), s.kind().wireName(), s.name(), s.target(),
                s.status().wireName(), time(s.startTime()), time(s.endTime()), s.currentState(),
                s.currentIteration(), parseOrEmpty(s.configJson()));
        if (s.kind() == SessionKind.CONVERGENCE) {
            ConvergenceTotals c = s.convergence();
            return new ConvergenceSessionView(header, s.endTime() != null ? s.currentState() : null,
                    new ConvergenceSessionView.Totals(c.totalFindings(), c.totalFixes(), c.totalVulnerabilities(),
                            c.testsPassed(), c.testsFailed()));
        }
        SessionTotals t = s.totals();
        double percent = s.contextPercent();
        return new ProxySessionView(header, s.provider(), s.model(), s.contextWindow(), s.active(),
                new ProxySessionView.Totals(t.requests(), t.failedRequests(), new TokenCounts(t.promptTokens(),
                        t.completionTokens(), t.totalTokens(), t.cachedTokens(), t.estimatedPromptTokens(),
                        t.costUsd())),
                new ProxySessionView.ContextGauge(t.contextTokens(), s.contextWindow(), ContextPercent.shown(percent),
                        config.thresholds().level(percent)));
    }

    public ObjectNode request(RequestRecord r) {
        return json.valueToTree(requestView(r));
    }

    /** As {@link #request(RequestRecord)}, as its record. */
    public RequestView requestView(RequestRecord r) {
        TokenUsage rep = r.reported();
        return new RequestView(figures(r), r.upstreamModel(), r.errorType(), r.errorMessage(),
                rep == null ? null : Long.valueOf(rep.promptTokens()),
                rep == null ? null : Long.valueOf(rep.completionTokens()));
    }

    /**
     * What every view of a request shows. {@code estimated_completion_tokens}: our count of the completion,
     * {@code null} when it was not counted (the provider reported usage and the request was not in the sample,
     * {@code [server] estimate_sample_every}).
     */
    public static RequestFigures figures(RequestRecord r) {
        TokenUsage used = r.effective();
        return new RequestFigures(r.requestId(), r.sessionId(), time(r.timestamp()), r.provider(), r.model(),
                r.stream(), r.status().wireName(), r.httpStatus(), r.source(),
                new TokenCounts(used.promptTokens(), used.completionTokens(), used.totalTokens(),
                        used.cachedPromptTokens(), r.estimated().promptTokens(), r.costUsd()),
                r.usageSource().wireName(), r.completionEstimated() ? Long.valueOf(r.estimated().completionTokens()) : null,
                r.latencyMs(), r.ttftMs(), r.estimatedReplyBytes(), r.accountingError());
    }

    /** Where a request left its session's context gauge. */
    public ContextFill contextFill(Session s) {
        return new ContextFill(s.totals().contextTokens(), s.contextWindow(), ContextPercent.shown(s.contextPercent()),
                config.thresholds().level(s.contextPercent()));
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
        return json.valueToTree(eventView(e, parseOrEmpty(e.dataJson())));
    }

    /**
     * As {@link #event(Event)}, as its record, with the event's data given: an object its {@code dataJson} was
     * written from, or that text itself as a Jackson {@code RawValue} ({@link LiveFeed#ownEvent(Event)}).
     */
    public EventView eventView(Event e, Object data) {
        return new EventView(e.eventId(), time(e.timestamp()), e.sessionId(), e.iteration(), e.state(),
                e.eventType(), data);
    }

    /** As {@link #eventView(Event, Object)}, its data parsed from the event's {@code dataJson}. */
    public EventView eventView(Event e) {
        return eventView(e, parseOrEmpty(e.dataJson()));
    }

    /** {@code value} (a JSON tree or a wire record) as JSON text. */
    public String text(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("serialising " + value.getClass().getSimpleName() + " failed", e);
        }
    }

    public KimiConfig config() {
        return config;
    }

    /** {@code value} (a JSON tree or a wire record) as UTF-8 JSON. */
    public byte[] bytes(Object value) {
        try {
            return json.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("serialising " + value.getClass().getSimpleName() + " failed", e);
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
