package io.kimi.services.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.core.Event;
import io.kimi.core.RequestRecord;
import io.kimi.core.Session;
import io.kimi.core.TokenUsage;
import io.kimi.core.hub.EventHub;
import io.kimi.core.hub.HubMessage;

/**
 * Renders what happens into the live messages of the WebSocket protocol and publishes them on the hub:
 * {@code event} (flat event fields, seed 002), {@code metric} (after each proxied request), {@code session}
 * (created, activated, updated, deleted) and {@code alert}. Each message is rendered once, whatever the number
 * of listeners. Thread-safe.
 */
public final class LiveFeed {
    public static final String EVENT = "event";
    public static final String METRIC = "metric";
    public static final String SESSION = "session";
    public static final String ALERT = "alert";

    private final EventHub hub;
    private final JsonViews views;

    public LiveFeed(EventHub hub, JsonViews views) {
        this.hub = requireNonNull(hub, "hub");
        this.views = requireNonNull(views, "views");
    }

    public EventHub hub() {
        return hub;
    }

    /** {@code {"type":"event", event_id, timestamp, session_id, iteration, state, event_type, data}}. */
    public void event(Event e) {
        ObjectNode n = views.mapper().createObjectNode().put("type", EVENT);
        n.setAll(views.event(e));
        hub.publish(new HubMessage(EVENT, e.eventType(), views.text(n)));
    }

    /**
     * As {@link #event(Event)}, with the event's data as the tree its {@code dataJson} was written from (the
     * accounting thread has it: parsing the text back cost it as much as building it).
     */
    public void event(Event e, JsonNode data) {
        ObjectNode n = views.mapper().createObjectNode().put("type", EVENT);
        n.setAll(views.event(e, data));
        hub.publish(new HubMessage(EVENT, e.eventType(), views.text(n)));
    }

    /** {@code {"type":"metric","data":{...}}}: one proxied request and where it left its session. */
    public void metric(RequestRecord r, Session s) {
        TokenUsage used = r.effective();
        ObjectNode n = views.mapper().createObjectNode().put("type", METRIC);
        ObjectNode d = n.putObject("data");
        d.put("session_id", r.sessionId())
                .put("request_id", r.requestId())
                .put("timestamp", r.timestamp().toString())
                .put("provider", r.provider())
                .put("model", r.model())
                .put("status", r.status().wireName())
                .put("http_status", r.httpStatus())
                .put("source", r.source())
                .put("prompt_tokens", used.promptTokens())
                .put("completion_tokens", used.completionTokens())
                .put("total_tokens", used.totalTokens())
                .put("cached_tokens", used.cachedPromptTokens())
                .put("estimated_prompt_tokens", r.estimated().promptTokens())
                .put("usage_source", r.usageSource().wireName())
                .put("cost_usd", r.costUsd())
                .put("latency_ms", r.latencyMs())
                .put("ttft_ms", r.ttftMs())
                .put("context_tokens", s.totals().contextTokens())
                .put("context_window", s.contextWindow())
                .put("context_percent", ContextPercent.shown(s.contextPercent()))
                .put("level", views.config().thresholds().level(s.contextPercent()))
                .put("session_total_tokens", s.totals().totalTokens())
                .put("session_cost_usd", s.totals().costUsd());
        JsonViews.putEstimatedCompletion(d, r);
        hub.publish(new HubMessage(METRIC, METRIC, views.text(n)));
    }

    /** {@code {"type":"session","action":"created|activated|updated|deleted","data":{session}}}. */
    public void session(String action, Session s) {
        ObjectNode n = views.mapper().createObjectNode().put("type", SESSION).put("action", action);
        n.set("data", views.session(s));
        hub.publish(new HubMessage(SESSION, SESSION, views.text(n)));
    }

    /** {@code {"type":"alert","data":{...}}}. */
    public void alert(ObjectNode data) {
        ObjectNode n = views.mapper().createObjectNode().put("type", ALERT);
        n.set("data", data);
        hub.publish(new HubMessage(ALERT, ALERT, views.text(n)));
    }
}
