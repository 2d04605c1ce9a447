package io.kimi.services.internal;

import static java.util.Objects.requireNonNull;

import io.kimi.config.ModelConfig;
import io.kimi.core.Event;
import io.kimi.core.EventTypes;
import io.kimi.core.Ids;
import io.kimi.core.RequestRecord;
import io.kimi.core.RequestStatus;
import io.kimi.core.Session;
import io.kimi.core.SessionTotals;
import io.kimi.core.store.RequestLog;
import io.kimi.protocol.RequestEventData;
import io.kimi.services.internal.features.FeatureOutcomes;
import io.kimi.services.internal.metrics.ServerMetrics;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What follows a request's record in its session: adds it to the session's totals, stores record, totals and
 * event in one write (bounded by {@link WriterRoom}), pushes the {@code metric} and {@code event} messages live,
 * and raises context alerts when the request is the session's context fill. Confined to the accounting thread.
 */
final class SessionRecorder {
    private static final Logger log = LoggerFactory.getLogger(SessionRecorder.class);

    private final RequestLog store;
    private final ProxySessions sessions;
    private final LiveFeed feed;
    private final ContextAlerts alerts;
    private final ServerMetrics metrics;
    private final WriterRoom writerRoom;

    SessionRecorder(RequestLog store, ProxySessions sessions, LiveFeed feed, ContextAlerts alerts,
            ServerMetrics metrics, WriterRoom writerRoom) {
        this.store = store;
        this.sessions = sessions;
        this.feed = feed;
        this.alerts = requireNonNull(alerts, "alerts");
        this.metrics = requireNonNull(metrics, "metrics");
        this.writerRoom = requireNonNull(writerRoom, "writerRoom");
    }

    /** As {@link #apply(RequestRecord, RequestContext, boolean, Predicate)} for a proxied request (the fill). */
    Session apply(RequestRecord request, RequestContext context, boolean light) {
        return apply(request, context, light, s -> true);
    }

    /**
     * A request the proxy did not see: its context fill is the session's when its model is the session's;
     * another configured model's fill is checked for alerts against that model's window, apart from the
     * session's gauge; with no known model it is not measured.
     */
    void applyExternal(RequestRecord request, Optional<ModelConfig> model) {
        Session session = apply(request, null, false,
                s -> model.isPresent() && model.get().key().equals(s.model()));
        if (session != null && model.isPresent() && !model.get().key().equals(session.model())) {
            raiseAlerts(session.sessionId(), () -> alerts.afterExternal(session, request.provider(),
                    model.get().key(), request.effective().totalTokens(), model.get().contextWindow()));
        }
    }

    /**
     * Adds the request to its session, stores both, pushes them and, when the request is the session's context
     * fill ({@code isSessionsFill}, asked of the session as it is then), moves the gauge and raises alerts; null
     * if the session is gone. {@code light}: stored only (no live push, no alerts).
     */
    private Session apply(RequestRecord request, RequestContext context, boolean light,
            Predicate<Session> isSessionsFill) {
        AtomicReference<Session> before = new AtomicReference<>();
        AtomicBoolean fill = new AtomicBoolean();
        Session session = sessions.update(request.sessionId(), s -> {
            before.set(s);
            fill.set(isSessionsFill.test(s));
            SessionTotals totals = s.totals().plus(request);
            return s.withTotals(fill.get() ? totals : withContextTokens(totals, s.totals().contextTokens()));
        });
        if (session == null) {
            log.warn("Session {} was deleted while request {} ran; the request is not recorded",
                    request.sessionId(), request.requestId());
            return null;
        }
        RequestEventData data = eventData(request, session, context);
        Event event = eventOf(request, data);
        boolean room = writerRoom.await(request.requestId());
        CompletableFuture<Void> written;
        try {
            // One write: a crash leaves the record, the session's totals after it and its event, or none of them.
            written = store.recordRequest(request, session.totals(), event);
        } catch (RuntimeException e) {
            writerRoom.release(room);
            throw e;
        }
        written.whenComplete((v, e) -> {
            writerRoom.release(room);
            if (e != null) {
                log.error("Could not store request {}", request.requestId(), e);
            } else {
                metrics.eventStored();
            }
        });
        if (light) {
            return session;
        }
        feed.metric(data, session);
        feed.ownEvent(event);
        if (fill.get()) {
            raiseAlerts(session.sessionId(), () -> alerts.afterRequest(before.get(), session));
        }
        return session;
    }

    /** {@code totals} with the context fill it had before: a request that is not the session's fill. */
    private static SessionTotals withContextTokens(SessionTotals totals, long contextTokens) {
        return new SessionTotals(totals.requests(), totals.failedRequests(), totals.promptTokens(),
                totals.completionTokens(), totals.cachedTokens(), totals.estimatedPromptTokens(), contextTokens,
                totals.costUsd());
    }

    private void raiseAlerts(String sessionId, Supplier<Optional<Event>> check) {
        try {
            check.get().ifPresent(alert -> metrics.eventStored());
        } catch (RuntimeException e) {
            log.error("Checking context alerts of session {} failed", sessionId, e);
        }
    }

    /**
     * The data of the request's {@code REQUEST_COMPLETED}/{@code REQUEST_FAILED} event: the request's figures,
     * where it left the session's context, its error, and what the context features did.
     */
    private RequestEventData eventData(RequestRecord r, Session session, RequestContext context) {
        boolean featured = context != null && !context.features().isEmpty();
        return new RequestEventData(JsonViews.figures(r), feed.views().contextFill(session), r.errorMessage(),
                featured ? Long.valueOf(context.originalPromptEstimate()) : null,
                featured ? FeatureOutcomes.summary(context.features()) : null);
    }

    private Event eventOf(RequestRecord r, RequestEventData data) {
        String type = r.status() == RequestStatus.SUCCESS ? EventTypes.REQUEST_COMPLETED : EventTypes.REQUEST_FAILED;
        return new Event(Ids.timeOrdered().toString(), r.sessionId(), r.timestamp(), 0, null, type,
                feed.views().text(data));
    }
}
