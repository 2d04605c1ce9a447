package io.kimi.services.internal;

import static java.util.Objects.requireNonNull;

import io.kimi.config.AccountingConfig;
import io.kimi.config.ModelConfig;
import io.kimi.core.Event;
import io.kimi.core.EventTypes;
import io.kimi.core.Ids;
import io.kimi.core.PendingRequest;
import io.kimi.core.RequestRecord;
import io.kimi.core.RequestStatus;
import io.kimi.core.Session;
import io.kimi.core.SessionTotals;
import io.kimi.core.Threads;
import io.kimi.core.ThrottledLog;
import io.kimi.core.TokenUsage;
import io.kimi.core.store.RequestLog;
import io.kimi.core.tokens.TokenCounter;
import io.kimi.protocol.RequestEventData;
import io.kimi.proxy.ExchangeResult;
import io.kimi.proxy.OpenAiError;
import io.kimi.proxy.ReplyParser;
import io.kimi.services.internal.features.FeatureOutcomes;
import io.kimi.services.internal.metrics.ServerMetrics;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Turns finished exchanges into request records and session totals, on its own thread, in arrival order:
 * reads the reply's usage and counts the completion locally from what was kept of the reply ({@link
 * ReplyCounter}: bounded, and a failure there still gives a record, flagged with {@code accounting_error}; beside
 * reported usage only on a sample, {@code [server] estimate_sample_every}), prices the effective usage, settles
 * the request's rate-limit permit with that usage, queues the writes and raises context alerts. No failure stops
 * the thread. Nothing here runs on an event loop.
 *
 * <p>Bounded ({@code [server] accounting_queue_limit}, L): while L or more finished exchanges wait behind the one
 * being recorded, it is recorded the light way (record, totals and event, Prometheus figures; no sampled local
 * count, no live push, no alerts, no context-feature bookkeeping) and counted as overflow; at most L records
 * queued here wait for the SQLite writer, past which this thread waits for it (never an event loop); and while 2L
 * exchanges wait, {@link #admit()} refuses new ones. Every exchange submitted is recorded.
 */
public final class Accountant implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Accountant.class);
    private static final long NANOS_PER_MS = 1_000_000L;
    /** Longest a request waits for its pending record to be committed before it is sent upstream anyway. */
    static final Duration TRACE_WAIT = Duration.ofSeconds(1);
    /** How often the waits for pending records are looked at: a wait lasts at most this much longer. */
    static final Duration TRACE_TICK = Duration.ofMillis(50);
    /** Longest this thread waits for room among the records queued for the writer before queuing one anyway. */
    static final Duration WRITER_WAIT = Duration.ofSeconds(30);
    private static final Duration LOG_INTERVAL = Duration.ofSeconds(10);
    /** The error type of a request whose 2xx reply was not a chat completion. */
    static final String MALFORMED_REPLY = RequestStatus.MALFORMED_REPLY.wireName();

    private final RequestLog store;
    private final ProxySessions sessions;
    private final LiveFeed feed;
    private final ContextAlerts alerts;
    private final ServerMetrics metrics;
    private final FeatureOutcomes features;
    private final ReplyCounter replies;
    private final EstimateSampler sampler;
    private final int queueLimit;
    /** Finished exchanges (and external requests) submitted whose recording has not started. */
    private final AtomicInteger waiting = new AtomicInteger();
    /** Room among the records this thread queued for the writer and that are not committed yet. */
    private final Semaphore writerRoom;
    private final ThrottledLog overflowLog = new ThrottledLog(log, Level.WARN, LOG_INTERVAL, System::nanoTime);
    private final ThrottledLog refusedLog = new ThrottledLog(log, Level.WARN, LOG_INTERVAL, System::nanoTime);
    private final ThrottledLog writerWaitLog = new ThrottledLog(log, Level.WARN, LOG_INTERVAL, System::nanoTime);
    private final TraceTimeouts traceTimeouts;
    private final ThrottledLog untracedLog = new ThrottledLog(log, Level.ERROR, LOG_INTERVAL, System::nanoTime);
    private final MalformedReplyLog malformedLog = new MalformedReplyLog();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(Threads.background("kimi-accounting"));

    public Accountant(RequestLog store, ProxySessions sessions, TokenCounter counter, LiveFeed feed,
            ContextAlerts alerts, ServerMetrics metrics, FeatureOutcomes features, AccountingConfig accounting) {
        this(store, sessions, feed, alerts, metrics, features,
                new ReplyCounter(new ReplyParser(), counter::countCompletion), accounting);
    }

    /** With the reply counting given (tests inject failures into it). */
    Accountant(RequestLog store, ProxySessions sessions, LiveFeed feed, ContextAlerts alerts, ServerMetrics metrics,
            FeatureOutcomes features, ReplyCounter replies, AccountingConfig accounting) {
        this.sampler = new EstimateSampler(accounting.estimateSampleEvery());
        this.queueLimit = accounting.queueLimit();
        this.writerRoom = new Semaphore(queueLimit);
        this.store = store;
        this.sessions = sessions;
        this.replies = requireNonNull(replies, "replies");
        this.feed = feed;
        this.alerts = requireNonNull(alerts, "alerts");
        this.metrics = requireNonNull(metrics, "metrics");
        this.features = requireNonNull(features, "features");
        metrics.accountingQueue(waiting::get, queueLimit);
        this.traceTimeouts = new TraceTimeouts(TRACE_WAIT, TRACE_TICK, requestId -> {
            log.warn("Request {} waited {} ms for its pending record; it is sent upstream untraced", requestId,
                    TRACE_WAIT.toMillis());
            metrics.requestUntraced();
        });
    }

    /**
     * Whether a new chat completion may be taken: false while twice {@code accounting_queue_limit} finished
     * exchanges wait to be recorded (then counted, and logged at most every 10 s). Cheap; safe on an event loop.
     */
    boolean admit() {
        int queued = waiting.get();
        if (queued < 2L * queueLimit) {
            return true;
        }
        metrics.accountingOverflow(ServerMetrics.OverflowPolicy.REFUSED);
        refusedLog.log("Refusing a chat completion with 503: {} finished requests wait to be recorded (twice "
                + "accounting_queue_limit, {})", queued, queueLimit);
        return false;
    }

    /**
     * Records the request as pending before it is sent upstream. The future completes, always normally, once the
     * trace is stored, so that the caller can send the request only then: an upstream call the provider may bill
     * then leaves a trace whatever happens to this process. The SQLite store traces it on this thread with one
     * append to its intent journal (a {@code write()} to the page cache, no commit: safe on an event loop), so the
     * future is complete on return. When the store fails, or (a store that commits its trace) has not within
     * {@link #TRACE_WAIT}, the future completes anyway (the request must not wait on the store for longer) and the
     * request is counted as untraced; the failures are logged at most every 10 s.
     */
    CompletableFuture<Void> beforeUpstream(RequestContext context) {
        ModelConfig model = context.route().model();
        PendingRequest pending = new PendingRequest(context.requestId(), context.sessionId(), context.arrival(),
                context.route().provider().key(), model.key(), model.upstreamModel(), context.stream(),
                context.promptEstimate(), context.source());
        CompletableFuture<Void> stored = store.savePendingRequest(pending);
        CompletableFuture<Void> traced = stored.exceptionally(e -> {
            untracedLog.log("Could not store request {} as pending; it is sent upstream untraced: {}",
                    context.requestId(), String.valueOf(e));
            metrics.requestUntraced();
            return null;
        });
        if (!traced.isDone()) {
            traceTimeouts.watch(context.requestId(), traced);
        }
        return traced;
    }

    /** Queues a finished exchange. Cheap; safe on an event loop. */
    void submit(RequestContext context, ExchangeResult result) {
        waiting.incrementAndGet();
        try {
            thread.execute(() -> record(context, result, startRecording(context.requestId())));
        } catch (RejectedExecutionException e) {
            waiting.decrementAndGet();
            log.error("Request {} finished after shutdown began; it is not recorded", context.requestId(), e);
        }
    }

    /**
     * On this thread, as a queued exchange's recording starts: whether to record it the light way, because
     * {@code accounting_queue_limit} or more wait behind it (counted and logged).
     */
    private boolean startRecording(String requestId) {
        int behind = waiting.decrementAndGet();
        if (behind < queueLimit) {
            return false;
        }
        metrics.accountingOverflow(ServerMetrics.OverflowPolicy.RECORDED_LIGHT);
        overflowLog.log("Recording request {} the light way (no local count, no live push): {} finished requests"
                + " wait behind it (accounting_queue_limit {})", requestId, behind, queueLimit);
        return true;
    }

    /** Forgets per-session state (alert crossings) of a deleted session, in order with the recording. */
    public void forgetSession(String sessionId) {
        try {
            thread.execute(() -> {
                alerts.forget(sessionId);
                features.forget(sessionId);
            });
        } catch (RejectedExecutionException e) {
            log.debug("Not forgetting session {}: accounting has stopped", sessionId);
        }
    }

    /** Completes once every exchange submitted before is recorded and committed. */
    public CompletableFuture<Void> sync() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            thread.execute(() -> store.flush().whenComplete((v, e) -> {
                if (e != null) {
                    done.completeExceptionally(e);
                } else {
                    done.complete(null);
                }
            }));
        } catch (RejectedExecutionException e) {
            return store.flush();
        }
        return done;
    }

    private void record(RequestContext context, ExchangeResult result, boolean light) {
        try {
            ModelConfig model = context.route().model();
            // Our own count is what counts without reported usage; beside reported usage, it only measures how
            // far estimates are from it, which a sample shows as well.
            CountedReply reply = replies.count(context.requestId(), model.encoding(), result,
                    () -> !light && sampler.next());
            if (reply.accountingError() != null) {
                metrics.accountingError(ServerMetrics.AccountingOutcome.FLAGGED);
            }
            TokenUsage estimated = new TokenUsage(context.promptEstimate(), reply.completionTokens(), 0);
            TokenUsage reported = reply.reported();
            TokenUsage counted = RequestRecord.countedUsage(reported, estimated, result.httpStatus());
            settle(context, counted);
            double cost = model.prices().cost(counted.promptTokens(), counted.completionTokens(),
                    counted.cachedPromptTokens());
            OpenAiError error = result.error();
            RequestStatus status = result.status();
            String errorType = error == null ? null : error.code();
            String errorMessage = error == null ? null : error.message();
            if (status == RequestStatus.SUCCESS && reply.malformed() != null) {
                status = RequestStatus.MALFORMED_REPLY;
                errorType = MALFORMED_REPLY;
                errorMessage = "Provider '" + context.route().provider().key() + "' answered "
                        + result.httpStatus() + " with " + reply.malformed() + "; it was relayed unchanged.";
                malformedLog.warn(context.route().provider().key(), context.requestId(), errorMessage);
            }
            RequestRecord request = new RequestRecord(context.requestId(), context.sessionId(), context.arrival(),
                    context.route().provider().key(), model.key(), model.upstreamModel(), context.stream(),
                    status, result.httpStatus(), errorType, errorMessage, estimated, reported, cost,
                    result.totalNanos() / NANOS_PER_MS,
                    result.ttftNanos() < 0 ? -1 : result.ttftNanos() / NANOS_PER_MS, context.source(),
                    reply.estimatedReplyBytes(), reply.accountingError(), reply.completionCounted());
            metrics.recordRequest(request, result.sentNanos());
            Session session = apply(request, context, light);
            if (session != null && !light) {
                features.afterRequest(session.sessionId(), request.requestId(), request.timestamp(),
                        context.features(), context.promptEstimate(), model.contextWindow());
            }
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            // The thread goes on with the next exchange; ReplyCounter already turned counting failures into a
            // flagged record, so what lands here failed after it (pricing, totals, queueing the write).
            metrics.accountingError(ServerMetrics.AccountingOutcome.LOST);
            log.error("Recording request {} failed ({}); it is not recorded", context.requestId(),
                    e.getClass().getSimpleName(), e);
        }
    }

    /**
     * Queues a request the proxy did not see (e.g. found in an IDE log by the log watcher): added to its session's
     * totals, stored and pushed live like a proxied one. Its context fill is measured against its own model's
     * window: when that is the session's model, it is the session's fill (gauge and alerts as for a proxied
     * request); another configured model's fill is checked for alerts against that model's window, apart from
     * the session's gauge; with no known model it is not measured at all (a count from a log says nothing of the
     * window it was meant for). Cheap; safe on any thread.
     *
     * @param model the configured model the request names, or empty when it names none or an unknown one
     */
    public void submitExternal(RequestRecord request, Optional<ModelConfig> model) {
        requireNonNull(request, "request");
        requireNonNull(model, "model");
        waiting.incrementAndGet();
        try {
            thread.execute(() -> {
                try {
                    waiting.decrementAndGet();
                    recordExternal(request, model);
                } catch (RuntimeException e) {
                    log.error("Recording request {} from {} failed", request.requestId(), request.source(), e);
                }
            });
        } catch (RejectedExecutionException e) {
            waiting.decrementAndGet();
            log.error("Request {} from {} came after shutdown began; it is not recorded", request.requestId(),
                    request.source(), e);
        }
    }

    private void recordExternal(RequestRecord request, Optional<ModelConfig> model) {
        Session session = apply(request, null, false,
                s -> model.isPresent() && model.get().key().equals(s.model()));
        if (session != null && model.isPresent() && !model.get().key().equals(session.model())) {
            raiseAlerts(session.sessionId(), () -> alerts.afterExternal(session, request.provider(),
                    model.get().key(), request.effective().totalTokens(), model.get().contextWindow()));
        }
    }

    /** As {@link #apply(RequestRecord, RequestContext, boolean, Predicate)} for a proxied request (the fill). */
    private Session apply(RequestRecord request, RequestContext context, boolean light) {
        return apply(request, context, light, s -> true);
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
        boolean room = awaitWriterRoom(request.requestId());
        CompletableFuture<Void> written;
        try {
            // One write: a crash leaves the record, the session's totals after it and its event, or none of them.
            written = store.recordRequest(request, session.totals(), event);
        } catch (RuntimeException e) {
            if (room) {
                writerRoom.release();
            }
            throw e;
        }
        written.whenComplete((v, e) -> {
            if (room) {
                writerRoom.release();
            }
            logFailure("request " + request.requestId(), e);
            if (e == null) {
                metrics.eventStored();
            }
        });
        if (light) {
            return session;
        }
        feed.metric(request, session);
        feed.event(event, data);
        if (fill.get()) {
            raiseAlerts(session.sessionId(), () -> alerts.afterRequest(before.get(), session));
        }
        return session;
    }

    /**
     * Waits (this thread only) until fewer than {@code accounting_queue_limit} of its records wait for the writer;
     * after {@link #WRITER_WAIT} the record is queued anyway (never lost; logged). Returns whether room was taken.
     */
    private boolean awaitWriterRoom(String requestId) {
        try {
            if (writerRoom.tryAcquire() || writerRoom.tryAcquire(WRITER_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writerWaitLog.log("The database has not committed the last {} records for {} s; request {} is queued for it"
                + " anyway", queueLimit, WRITER_WAIT.toSeconds(), requestId);
        return false;
    }

    /** {@code totals} with the context fill it had before: a request that is not the session's fill. */
    private static SessionTotals withContextTokens(SessionTotals totals, long contextTokens) {
        return new SessionTotals(totals.requests(), totals.failedRequests(), totals.promptTokens(),
                totals.completionTokens(), totals.cachedTokens(), totals.estimatedPromptTokens(), contextTokens,
                totals.costUsd());
    }

    /** Gives the rate limiter the tokens the request really used. */
    private static void settle(RequestContext context, TokenUsage counted) {
        try {
            context.permit().settle(counted.totalTokens());
        } catch (RuntimeException e) {
            log.error("Settling the rate-limit permit of request {} failed", context.requestId(), e);
        }
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

    private static void logFailure(String what, Throwable e) {
        if (e != null) {
            log.error("Could not store {}", what, e);
        }
    }

    /** Records what is queued, then stops. Bounded wait. */
    @Override
    public void close() {
        traceTimeouts.close();
        Threads.shutdown(thread, Duration.ofSeconds(10), "Accounting", log);
    }
}
