package io.kimi.services.internal.live;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.kimi.config.Thresholds;
import io.kimi.core.Session;
import io.kimi.core.SessionKind;
import io.kimi.core.store.Page;
import io.kimi.core.store.SessionQuery;
import io.kimi.core.store.SessionReads;
import io.kimi.protocol.ErrorMessage;
import io.kimi.protocol.InitMessage;
import io.kimi.protocol.PongMessage;
import io.kimi.protocol.RequestView;
import io.kimi.protocol.ResponseMessage;
import io.kimi.protocol.SessionList;
import io.kimi.protocol.SessionView;
import io.kimi.protocol.Subscribed;
import io.kimi.protocol.SubscriptionChange;
import io.kimi.protocol.ThresholdsView;
import io.kimi.services.internal.Accountant;
import io.kimi.services.internal.JsonViews;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of the live protocol (seed 002): {@code subscribe}, {@code unsubscribe},
 * {@code list_sessions}, {@code get_session}, {@code ping} (also as seed 000's {@code {"type":"ping"}}), and the
 * {@code init} message a client receives on connecting. Every reply is JSON text; bad input gets {@code {"type":"error",...}} and never an exception.
 * Reads run on the blocking executor. Thread-safe.
 */
public final class LiveProtocol {
    private static final Logger log = LoggerFactory.getLogger(LiveProtocol.class);
    private static final int RECENT_REQUESTS = 50;

    private final SessionReads store;
    private final Accountant accountant;
    private final JsonViews views;
    private final Clock clock;
    private final Executor blocking;

    public LiveProtocol(SessionReads store, Accountant accountant, JsonViews views, Clock clock, Executor blocking) {
        this.store = requireNonNull(store, "store");
        this.accountant = requireNonNull(accountant, "accountant");
        this.views = requireNonNull(views, "views");
        this.clock = requireNonNull(clock, "clock");
        this.blocking = requireNonNull(blocking, "blocking");
    }

    /**
     * Answers one client message. The future always completes normally, with the reply to send. A message's
     * optional {@code request_id} is echoed in the reply to it, errors included ({@link RequestIds}).
     */
    public CompletableFuture<String> handle(String text, Subscriptions subscriptions) {
        JsonNode message;
        try {
            message = views.mapper().readTree(text);
        } catch (JsonProcessingException e) {
            return done(error(null, "invalid_json", "The message is not valid JSON: " + e.getOriginalMessage()));
        }
        if (message == null || !message.isObject()) {
            return done(error(null, "invalid_message", "A message must be a JSON object with an \"action\"."));
        }
        JsonNode requestId = message.get("request_id");
        if (requestId != null && !requestId.isNull()) {
            String problem = RequestIds.problem(requestId);
            if (problem != null) {
                JsonNode action = message.get("action");
                return done(error(action != null && action.isTextual() ? action.asText() : null,
                        "invalid_request_id", problem));
            }
            return answer(message, subscriptions).thenApply(reply -> RequestIds.echo(reply, requestId.asText()));
        }
        return answer(message, subscriptions);
    }

    /** Answers a message that is a JSON object. */
    private CompletableFuture<String> answer(JsonNode message, Subscriptions subscriptions) {
        JsonNode actionNode = message.get("action");
        if (actionNode == null && isTypePing(message)) {
            return done(pong());
        }
        if (actionNode == null || !actionNode.isTextual()) {
            return done(error(null, "missing_action", "The message needs a string \"action\": one of subscribe, "
                    + "unsubscribe, list_sessions, get_session, ping ({\"type\":\"ping\"} is a ping too)."));
        }
        String action = actionNode.asText();
        switch (action) {
            case "ping":
                return done(pong());
            case "subscribe":
            case "unsubscribe":
                return done(subscription(action, message.get("events"), subscriptions));
            case "list_sessions":
                return read(action, () -> listSessions(message));
            case "get_session":
                return read(action, () -> getSession(message));
            default:
                return done(error(action, "unknown_action", "Unknown action '" + action + "'; expected one of "
                        + "subscribe, unsubscribe, list_sessions, get_session, ping."));
        }
    }

    /**
     * Seed 000's heartbeat, {@code {"type":"ping"}}: a ping written the way the server's own messages are. Only
     * {@code ping} is read from {@code type}; every other request needs an {@code action}.
     */
    private static boolean isTypePing(JsonNode message) {
        JsonNode type = message.get("type");
        return type != null && type.isTextual() && type.asText().equals("ping");
    }

    private String pong() {
        return views.text(new PongMessage(clock.instant().toString()));
    }

    /** The {@code init} message: the active session, its totals and recent requests, and the gauge thresholds. */
    public CompletableFuture<String> init(Subscriptions subscriptions) {
        return CompletableFuture.supplyAsync(() -> {
            SessionView activeView = null;
            List<RequestView> recent = List.of();
            String error = null;
            try {
                catchUp();
                Session active = store.findActiveSession().orElse(null);
                if (active != null) {
                    activeView = views.sessionView(active);
                    recent = store.listRequests(active.sessionId(), RECENT_REQUESTS, 0).items().stream()
                            .map(views::requestView).toList();
                }
            } catch (Exception e) {
                log.error("Building the init message failed", e);
                activeView = null;
                recent = List.of();
                error = "Les données initiales n'ont pas pu être lues : " + e.getMessage();
            }
            Thresholds t = views.config().thresholds();
            return views.text(new InitMessage(new InitMessage.Data(activeView, recent,
                    new ThresholdsView(t.warning(), t.high(), t.critical()), clock.instant().toString(),
                    subscriptions.describe(), error)));
        }, blocking);
    }

    private String subscription(String action, JsonNode events, Subscriptions subscriptions) {
        List<String> names = new ArrayList<>();
        if (events != null && events.isTextual()) {
            names.add(events.asText());
        } else if (events != null && events.isArray() && !events.isEmpty()) {
            for (JsonNode e : events) {
                if (!e.isTextual() || e.asText().isBlank()) {
                    return error(action, "invalid_events", "\"events\" must list event types as strings, e.g. "
                            + "[\"STEP_COMPLETE\"] or [\"*\"].");
                }
                names.add(e.asText());
            }
        } else {
            return error(action, "invalid_events", "\"events\" must be \"*\" or a non-empty list of event types.");
        }
        try {
            if (action.equals(SubscriptionChange.SUBSCRIBE)) {
                subscriptions.subscribe(names);
            } else {
                subscriptions.unsubscribe(names);
            }
        } catch (IllegalArgumentException e) {
            return error(action, "invalid_events", e.getMessage() + ".");
        }
        return response(action, new Subscribed(subscriptions.describe()));
    }

    private String listSessions(JsonNode message) throws Exception {
        int limit = intField(message, "limit", 10, 1, SessionQuery.MAX_LIMIT);
        int offset = intField(message, "offset", 0, 0, Integer.MAX_VALUE);
        SessionKind kind = null;
        JsonNode kindNode = message.get("kind");
        if (kindNode != null && !kindNode.isNull()) {
            if (!kindNode.isTextual()) {
                throw new IllegalArgumentException("kind: expected \"proxy\" or \"convergence\"");
            }
            kind = SessionKind.fromWire(kindNode.asText());
        }
        catchUp();
        Page<Session> page = store.listSessions(new SessionQuery(kind, null, limit, offset));
        return response("list_sessions", new SessionList(page.items().stream().map(views::sessionView).toList(),
                page.total(), limit, offset));
    }

    private String getSession(JsonNode message) throws Exception {
        JsonNode id = message.get("session_id");
        if (id == null || !id.isTextual() || id.asText().isBlank()) {
            throw new IllegalArgumentException("session_id: required, a string");
        }
        catchUp();
        Session session = store.findSession(id.asText()).orElse(null);
        if (session == null) {
            return error("get_session", "session_not_found", "Session '" + id.asText() + "' does not exist.");
        }
        return response("get_session", views.sessionView(session));
    }

    private interface Read {
        String run() throws Exception;
    }

    private CompletableFuture<String> read(String action, Read read) {
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return read.run();
                } catch (IllegalArgumentException e) {
                    return error(action, "invalid_request", e.getMessage());
                } catch (Exception e) {
                    log.error("WebSocket action {} failed", action, e);
                    return error(action, "internal_error", "The server could not answer: " + e.getMessage());
                }
            }, blocking);
        } catch (RejectedExecutionException e) {
            return done(error(action, "busy", "The server is overloaded; try again shortly."));
        }
    }

    private void catchUp() throws Exception {
        accountant.sync().get(10, TimeUnit.SECONDS);
    }

    private static int intField(JsonNode message, String name, int defaultValue, int min, int max) {
        JsonNode v = message.get(name);
        if (v == null || v.isNull()) {
            return defaultValue;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new IllegalArgumentException(name + ": expected an integer, got " + v);
        }
        int value = v.asInt();
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: " + min + "-" + max + ")");
        }
        return value;
    }

    private String response(String action, Object data) {
        return views.text(new ResponseMessage(action, data));
    }

    /** {@code {"type":"error","request_action":...,"code":...,"message":...}}. */
    public String error(String action, String code, String message) {
        return views.text(new ErrorMessage(action, code, message));
    }

    private static CompletableFuture<String> done(String reply) {
        return CompletableFuture.completedFuture(reply);
    }
}
