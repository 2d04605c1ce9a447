package io.kimi.services.internal;

import static java.util.Objects.requireNonNull;

import io.kimi.config.AccountingConfig;
import io.kimi.config.ModelConfig;
import io.kimi.core.PendingRequest;
import io.kimi.core.RequestRecord;
import io.kimi.core.Session;
import io.kimi.core.Threads;
import io.kimi.core.ThrottledLog;
import io.kimi.core.store.RequestLog;
import io.kimi.core.tokens.TokenCounter;
import io.kimi.proxy.ExchangeResult;
import io.kimi.proxy.ReplyParser;
import io.kimi.services.internal.features.FeatureOutcomes;
import io.kimi.services.internal.metrics.ServerMetrics;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Turns finished exchanges into request records and session totals, on its own thread, in arrival order:
 * reads the reply's usage and counts the completion locally from what was kept of the reply ({@link
 * ReplyCounter}: bounded, and a failure there still gives a record, flagged with {@code accounting_error}; beside
 * reported usage only on a sample, {@code [server] estimate_sample_every}), prices the effective usage
 * ({@link RecordBuilder}), settles the request's rate-limit permit with that usage, and hands the record to its
 * session ({@link SessionRecorder}: totals, the write, the live push, context alerts). No failure stops the
 * thread. Nothing here runs on an event loop.
 *
 * <p>Bounded ({@code [server] accounting_queue_limit}, L; {@link AccountingQueue}, {@link WriterRoom}): while L or
 * more finished exchanges wait behind the one being recorded, it is recorded the light way (record, totals and
 * event, Prometheus figures; no sampled local count, no live push, no alerts, no context-feature bookkeeping) and
 * counted as overflow; at most L records queued here wait for the SQLite writer, past which this thread waits for
 * it (never an event loop); and while 2L exchanges wait, {@link #admit()} refuses new ones. Every exchange
 * submitted is recorded.
 */
public final class Accountant implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Accountant.class);
    /** Longest a request waits for its pending record to be committed before it is sent upstream anyway. */
    static final Duration TRACE_WAIT = Duration.ofSeconds(1);
    /** How often the waits for pending records are looked at: a wait lasts at most this much longer. */
    static final Duration TRACE_TICK = Duration.ofMillis(50);

    private final RequestLog store;
    private final ServerMetrics metrics;
    private final FeatureOutcomes features;
    private final ContextAlerts alerts;
    private final ReplyCounter replies;
    private final EstimateSampler sampler;
    private final AccountingQueue queue;
    private final RecordBuilder records = new RecordBuilder();
    private final SessionRecorder recorder;
    private final TraceTimeouts traceTimeouts;
    private final ThrottledLog untracedLog = new ThrottledLog(log, Level.ERROR, Duration.ofSeconds(10),
            System::nanoTime);
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
        this.store = store;
        this.replies = requireNonNull(replies, "replies");
        this.alerts = requireNonNull(alerts, "alerts");
        this.metrics = requireNonNull(metrics, "metrics");
        this.features = requireNonNull(features, "features");
        this.queue = new AccountingQueue(accounting.queueLimit(), metrics);
        this.recorder = new SessionRecorder(store, sessions, feed, alerts, metrics,
                new WriterRoom(accounting.queueLimit()));
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
        return queue.admit();
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
        queue.enqueued();
        try {
            thread.execute(() -> record(context, result, queue.startRecording(context.requestId())));
        } catch (RejectedExecutionException e) {
            queue.dequeued();
            log.error("Request {} finished after shutdown began; it is not recorded", context.requestId(), e);
        }
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
            RequestRecord request = records.build(context, result, reply);
            settle(context, request);
            metrics.recordRequest(request, result.sentNanos());
            Session session = recorder.apply(request, context, light);
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
        queue.enqueued();
        try {
            thread.execute(() -> {
                try {
                    queue.dequeued();
                    recorder.applyExternal(request, model);
                } catch (RuntimeException e) {
                    log.error("Recording request {} from {} failed", request.requestId(), request.source(), e);
                }
            });
        } catch (RejectedExecutionException e) {
            queue.dequeued();
            log.error("Request {} from {} came after shutdown began; it is not recorded", request.requestId(),
                    request.source(), e);
        }
    }

    /** Gives the rate limiter the tokens the request really used. */
    private static void settle(RequestContext context, RequestRecord request) {
        try {
            context.permit().settle(request.effective().totalTokens());
        } catch (RuntimeException e) {
            log.error("Settling the rate-limit permit of request {} failed", context.requestId(), e);
        }
    }

    /** Records what is queued, then stops. Bounded wait. */
    @Override
    public void close() {
        traceTimeouts.close();
        Threads.shutdown(thread, Duration.ofSeconds(10), "Accounting", log);
    }
}
