package io.kimi.services.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.config.Thresholds;
import io.kimi.core.Event;
import io.kimi.core.EventTypes;
import io.kimi.core.Ids;
import io.kimi.core.Session;
import io.kimi.core.store.EventLog;
import java.text.NumberFormat;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raises an alert when a session's context fill crosses a threshold of {@code [thresholds]} upward (warning,
 * high, critical: 70, 85 and 95 % of the window by default). One crossing raises one alert, for the highest
 * threshold crossed (50 → 96 % raises only "critical"); a threshold is re-armed when the fill falls back below it
 * (after compacting or restarting the conversation). A session met for the first time starts from its fill
 * before the update, so thresholds it was already above (e.g. before a restart of the server) do not alert again.
 *
 * <p>A request the proxy did not see (a log watcher's finding) on another model than its session's is measured
 * apart, against its own model's window ({@link #afterExternal}), with crossings kept per session and source: it
 * never moves the session's gauge nor re-arms the session's thresholds.
 *
 * <p>Each alert is stored as an {@link EventTypes#ALERT} event and published live as an {@code alert} message and
 * as that {@code event}. Called on the accounting thread; thread-safe all the same.
 */
public final class ContextAlerts {
    private static final Logger log = LoggerFactory.getLogger(ContextAlerts.class);
    private static final List<String> LEVELS = Thresholds.LEVELS;
    private static final char NBSP = '\u00a0';

    private final Thresholds thresholds;
    private final EventLog store;
    private final LiveFeed feed;
    private final Clock clock;
    /** Per gauge: how many thresholds (from the lowest) have alerted and not been re-armed. */
    private final Map<Gauge, Integer> alerted = new ConcurrentHashMap<>();

    public ContextAlerts(Thresholds thresholds, EventLog store, LiveFeed feed, Clock clock) {
        this.thresholds = requireNonNull(thresholds, "thresholds");
        this.store = requireNonNull(store, "store");
        this.feed = requireNonNull(feed, "feed");
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * Checks a session after a recorded request, raising at most one alert.
     *
     * @param before the session before the request was counted
     * @param after the session after
     * @return the alert event raised, if any
     */
    public Optional<Event> afterRequest(Session before, Session after) {
        requireNonNull(before, "before");
        requireNonNull(after, "after");
        Fill fill = new Fill(after.sessionId(), null, after.model(), after.totals().contextTokens(),
                after.contextWindow());
        return check(fill, reached(before.contextPercent()));
    }

    /**
     * Checks the fill of a request the proxy did not see against its own model's window, apart from the session's
     * gauge: the alert, if any, is stored in the session and names the model, the window and {@code source}.
     * Crossings are kept per session and source; a source met for the first time starts from an empty context.
     *
     * @param session the session the request was counted in
     * @param source where the request was found, e.g. {@code log:continue}
     * @param model the request's model key
     * @param tokens the request's prompt and completion tokens
     * @param window that model's context window
     * @return the alert event raised, if any
     */
    public Optional<Event> afterExternal(Session session, String source, String model, long tokens, int window) {
        requireNonNull(session, "session");
        requireNonNull(source, "source");
        requireNonNull(model, "model");
        return check(new Fill(session.sessionId(), source, model, tokens, window), 0);
    }

    private Optional<Event> check(Fill fill, int reachedBefore) {
        int reached = reached(fill.percent());
        Integer previous = alerted.put(fill.gauge(), reached);
        if (reached <= (previous != null ? previous : reachedBefore)) {
            return Optional.empty();
        }
        ObjectNode data = alertData(fill, reached - 1);
        Event event = new Event(Ids.timeOrdered().toString(), fill.sessionId(), clock.instant(), 0, null,
                EventTypes.ALERT, data.toString());
        store.appendEvent(event).whenComplete((v, e) -> {
            if (e != null) {
                log.error("Could not store the context alert of session {}", fill.sessionId(), e);
            }
        });
        feed.alert(data);
        feed.event(event);
        return Optional.of(event);
    }

    /** Forgets a session (deleted): its state is no longer needed. */
    public void forget(String sessionId) {
        alerted.keySet().removeIf(g -> g.sessionId().equals(sessionId));
    }

    /** How many thresholds a fill is at or above: 0 (none) to 3 (critical). */
    private int reached(double percent) {
        double[] values = {thresholds.warning(), thresholds.high(), thresholds.critical()};
        int n = 0;
        while (n < values.length && percent >= values[n]) {
            n++;
        }
        return n;
    }

    private ObjectNode alertData(Fill f, int levelIndex) {
        double threshold = levelIndex == 0 ? thresholds.warning()
                : levelIndex == 1 ? thresholds.high() : thresholds.critical();
        String level = LEVELS.get(levelIndex);
        double percent = f.percent();
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("level", level);
        if (threshold == Math.rint(threshold)) {
            data.put("threshold", (long) threshold);
        } else {
            data.put("threshold", threshold);
        }
        data.put("percent", ContextPercent.shown(percent))
                .put("context_tokens", f.tokens())
                .put("context_window", f.window())
                .put("model", f.model())
                .put("session_id", f.sessionId());
        if (f.source() != null) {
            data.put("source", f.source());
        }
        data.put("message", message(level, percent, f.tokens(), f.window(), f.model(), f.source()));
        log.info("Context alert ({}) for session {}{}: {} % of {} tokens", level, f.sessionId(),
                f.source() == null ? "" : " from " + f.source(), data.get("percent"), f.window());
        return data;
    }

    /** A session's own gauge ({@code source} null), or the fill of one source of requests the proxy did not see. */
    private record Gauge(String sessionId, String source) {
    }

    /** A context fill to check: {@code tokens} of a {@code window}-token window. */
    private record Fill(String sessionId, String source, String model, long tokens, int window) {
        double percent() {
            return window <= 0 ? 0.0 : 100.0 * tokens / window;
        }

        Gauge gauge() {
            return new Gauge(sessionId, source);
        }
    }

    /** E.g. "Contexte à 86 % de la fenêtre de kimi-k2 (225 000 / 262 144 tokens) : pensez à compacter." */
    static String message(String level, double percent, long tokens, int window, String model) {
        return message(level, percent, tokens, window, model, null);
    }

    /** As above; with a source, e.g. "... (55 / 60 tokens, log:c) : ...". */
    static String message(String level, double percent, long tokens, int window, String model, String source) {
        NumberFormat n = NumberFormat.getIntegerInstance(Locale.FRANCE);
        String advice = switch (level) {
            case "warning" -> "pensez à compacter.";
            case "high" -> "compactez bientôt la conversation.";
            default -> "compactez maintenant ou démarrez une nouvelle session.";
        };
        // Rounded down, so the figure shown is never below the threshold that was crossed.
        return "Contexte à " + (long) Math.floor(percent) + NBSP + "% de la fenêtre de "
                + (model != null ? model : "ce modèle") + " ("
                + n.format(tokens) + " / " + n.format(window) + " tokens" + (source != null ? ", " + source : "")
                + ")" + NBSP + ": " + advice;
    }
}
