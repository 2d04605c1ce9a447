package io.kimi.services.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.util.RawValue;
import io.kimi.core.Event;
import io.kimi.core.Session;
import io.kimi.core.hub.EventHub;
import io.kimi.core.hub.HubMessage;
import io.kimi.protocol.AlertMessage;
import io.kimi.protocol.EventMessage;
import io.kimi.protocol.MessageTypes;
import io.kimi.protocol.MetricData;
import io.kimi.protocol.MetricMessage;
import io.kimi.protocol.RequestEventData;
import io.kimi.protocol.ServerMessage;
import io.kimi.protocol.SessionMessage;

/**
 * Publishes what happens on the hub as the live messages of the WebSocket protocol ({@code kimi-protocol}):
 * {@code event} (flat event fields, seed 002), {@code metric} (after each proxied request), {@code session}
 * (created, activated, updated, deleted) and {@code alert}. Each message goes on the hub as its typed record and
 * is serialised once, whatever the number of listeners. Thread-safe.
 */
public final class LiveFeed {
    public static final String EVENT = MessageTypes.EVENT;
    public static final String METRIC = MessageTypes.METRIC;
    public static final String SESSION = MessageTypes.SESSION;
    public static final String ALERT = MessageTypes.ALERT;

    private final EventHub hub;
    private final JsonViews views;

    public LiveFeed(EventHub hub, JsonViews views) {
        this.hub = requireNonNull(hub, "hub");
        this.views = requireNonNull(views, "views");
    }

    public EventHub hub() {
        return hub;
    }

    /** The views the messages are built with (and their mapper). */
    public JsonViews views() {
        return views;
    }

    /** {@code {"type":"event", event_id, timestamp, session_id, iteration, state, event_type, data}}. */
    public void event(Event e) {
        publish(new EventMessage(views.eventView(e)));
    }

    /**
     * As {@link #event(Event)}, for an event whose {@code dataJson} this server has just written from its own
     * record (the accounting thread's request events): that text goes into the message as it is, neither parsed
     * back (which cost as much as building it) nor serialised a second time from the record (about 40 % of the
     * message's serialisation, 2026-12-07). The message is the same, byte for byte.
     */
    public void ownEvent(Event e) {
        publish(new EventMessage(views.eventView(e, new RawValue(e.dataJson()))));
    }

    /**
     * {@code {"type":"metric","data":{...}}}: one proxied request and where it left its session, from the request's
     * event data, which holds the same request figures and context fill (built once for both messages).
     */
    public void metric(RequestEventData data, Session s) {
        publish(new MetricMessage(new MetricData(data.request(), data.context(), s.totals().totalTokens(),
                s.totals().costUsd())));
    }

    /** {@code {"type":"session","action":"created|activated|updated|deleted","data":{session}}}. */
    public void session(String action, Session s) {
        publish(new SessionMessage(action, views.sessionView(s)));
    }

    /** {@code {"type":"alert","data":{...}}}. */
    public void alert(Object data) {
        publish(new AlertMessage(data));
    }

    /** Puts a message on the hub, serialised here, once. */
    public void publish(ServerMessage message) {
        hub.publish(new HubMessage(message.type(), message.topic(), message, views.bytes(message)));
    }
}
