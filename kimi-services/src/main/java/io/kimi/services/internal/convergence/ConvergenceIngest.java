package io.kimi.services.internal.convergence;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.kimi.core.ConvergenceTotals;
import io.kimi.core.Event;
import io.kimi.core.Session;
import io.kimi.core.SessionKind;
import io.kimi.core.SessionStatus;
import io.kimi.core.SessionTotals;
import io.kimi.core.StepStats;
import io.kimi.core.Threads;
import io.kimi.core.store.ConvergenceFigures;
import io.kimi.core.store.EventLog;
import io.kimi.core.store.SessionReads;
import io.kimi.core.store.SessionWrites;
import io.kimi.services.internal.LiveFeed;
import io.kimi.services.internal.metrics.ServerMetrics;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes convergence events in, in order, on its own thread: stores each once (a replayed {@code event_id} is
 * a duplicate and changes nothing), folds the new ones into their session's aggregate (creating the session
 * if its {@code SESSION_STARTED} was missed) in the same transaction that stores them, so a crash can never
 * leave stored events that their aggregate does not count, and publishes the events and session changes live.
 * Thread-safe; one per server.
 */
public final class ConvergenceIngest implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConvergenceIngest.class);

    private final SessionReads reads;
    private final SessionWrites writes;
    private final EventLog eventLog;
    private final LiveFeed feed;
    private final ServerMetrics metrics;
    private final ConvergenceMeters meters;
    private final ObjectMapper json;
    private final Cache<String, LoopSession> sessions = Caffeine.newBuilder().maximumSize(1_000).build();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(Threads.daemon("kimi-convergence"));

    public ConvergenceIngest(SessionReads reads, SessionWrites writes, EventLog eventLog, LiveFeed feed,
            ServerMetrics metrics, ConvergenceMeters meters, ObjectMapper json) {
        this.reads = requireNonNull(reads, "reads");
        this.writes = requireNonNull(writes, "writes");
        this.eventLog = requireNonNull(eventLog, "eventLog");
        this.feed = requireNonNull(feed, "feed");
        this.metrics = requireNonNull(metrics, "metrics");
        this.meters = requireNonNull(meters, "meters");
        this.json = requireNonNull(json, "json");
    }

    /** Queues events; the future completes once they are stored and folded in (exceptionally if storing failed). */
    public CompletableFuture<IngestResult> ingest(List<Event> events) {
        if (events.isEmpty()) {
            return CompletableFuture.completedFuture(new IngestResult(0, 0, 0, List.of()));
        }
        try {
            return CompletableFuture.supplyAsync(() -> process(events), thread);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new IllegalStateException("the server is shutting down"));
        }
    }

    private IngestResult process(List<Event> events) {
        List<Event> admitted = new ArrayList<>(events.size());
        List<String> problems = new ArrayList<>();
        Map<String, LoopSession> touched = new HashMap<>();
        Map<Event, JsonNode> data = new IdentityHashMap<>();
        for (Event e : events) {
            LoopSession s = sessionFor(e);
            if (s == null) {
                problems.add("session " + e.sessionId() + " is a proxy session; event " + e.eventId() + " refused");
            } else {
                admitted.add(e);
                touched.put(e.sessionId(), s);
                data.put(e, data(e));
            }
        }
        if (admitted.isEmpty()) {
            return new IngestResult(0, 0, events.size(), problems);
        }
        // The events and the aggregates they change are committed together (a crash leaves both or neither);
        // the cached aggregates change only once they are.
        BatchFold fold = new BatchFold(touched, data);
        List<Boolean> stored = join(eventLog.appendEvents(admitted, fold));
        BatchFold.Result folded = fold.result();
        sessions.putAll(folded.sessions());
        measure(touched, folded);
        for (BatchFold.Step step : folded.steps()) {
            metrics.eventStored();
            if (step.sessionChange() != null) {
                feed.session(step.sessionChange(), step.session());
            }
            feed.event(step.event());
        }
        int accepted = (int) stored.stream().filter(Boolean::booleanValue).count();
        return new IngestResult(accepted, admitted.size() - accepted, events.size() - admitted.size(), problems);
    }

    /** Moves the gauges by what the committed batch changed, and records the step durations it reported. */
    private void measure(Map<String, LoopSession> before, BatchFold.Result folded) {
        folded.sessions().forEach((id, after) -> meters.changed(before.get(id).figures(), after.figures()));
        for (StepStats step : folded.changedSteps()) {
            StepStats was = before.get(step.sessionId()).steps.get(LoopSession.stepKey(step.iteration(), step.step()));
            Double seconds = step.durationSeconds();
            if (seconds != null && (was == null || !seconds.equals(was.durationSeconds()))) {
                meters.stepDuration(step.step(), seconds);
            }
        }
    }

    /** The session's aggregate, loaded from the store or started new; {@code null} when the id is a proxy session. */
    private LoopSession sessionFor(Event e) {
        LoopSession cached = sessions.getIfPresent(e.sessionId());
        if (cached != null) {
            return cached;
        }
        Session stored = reads.findSession(e.sessionId()).orElse(null);
        if (stored != null && stored.kind() != SessionKind.CONVERGENCE) {
            return null;
        }
        LoopSession s;
        if (stored == null) {
            s = new LoopSession(new Session(e.sessionId(), SessionKind.CONVERGENCE, null, null, SessionStatus.RUNNING,
                    e.timestamp(), null, null, 0, "{}", null, null, 0, SessionTotals.ZERO, false,
                    ConvergenceTotals.ZERO));
            s.fresh = true;
            // Written before its events (which reference it); queued writes keep their order.
            writes.saveSession(s.session).whenComplete((v, err) -> logFailure("session " + e.sessionId(), err));
            meters.changed(ConvergenceFigures.ZERO, s.figures());
        } else {
            s = new LoopSession(stored);
            reads.listIterations(e.sessionId()).forEach(it -> s.iterations.put(it.iteration(), it));
            reads.listSteps(e.sessionId()).forEach(st -> s.steps.put(LoopSession.stepKey(st.iteration(), st.step()), st));
        }
        sessions.put(e.sessionId(), s);
        return s;
    }

    private JsonNode data(Event e) {
        try {
            JsonNode data = json.readTree(e.dataJson());
            return data != null && data.isObject() ? data : json.createObjectNode();
        } catch (IOException ex) {
            log.warn("Event {} has unreadable data; folding it without", e.eventId(), ex);
            return json.createObjectNode();
        }
    }

    /**
     * Deletes a convergence session with everything stored for it, in order with the events being ingested, and
     * takes it out of the gauges. The future completes with whether it existed.
     */
    public CompletableFuture<Boolean> delete(String sessionId) {
        requireNonNull(sessionId, "sessionId");
        try {
            return CompletableFuture.supplyAsync(() -> {
                LoopSession s = sessions.getIfPresent(sessionId);
                ConvergenceFigures figures = s != null ? s.figures() : storedFigures(sessionId);
                sessions.invalidate(sessionId);
                boolean existed = join(writes.deleteSession(sessionId));
                if (existed && figures != null) {
                    meters.removed(figures);
                }
                return existed;
            }, thread);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new IllegalStateException("the server is shutting down"));
        }
    }

    /** A stored convergence session's figures, or {@code null} when it is not one. */
    private ConvergenceFigures storedFigures(String sessionId) {
        Session stored = reads.findSession(sessionId).orElse(null);
        if (stored == null || stored.kind() != SessionKind.CONVERGENCE) {
            return null;
        }
        LoopSession s = new LoopSession(stored);
        reads.listIterations(sessionId).forEach(it -> s.iterations.put(it.iteration(), it));
        return s.figures();
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while storing events", e);
        } catch (Exception e) {
            throw new IllegalStateException("storing events failed: " + e.getMessage(), e);
        }
    }

    private static void logFailure(String what, Throwable e) {
        if (e != null) {
            log.error("Could not store {}", what, e);
        }
    }

    /** Finishes what is queued (bounded), then stops. */
    @Override
    public void close() {
        Threads.shutdown(thread, Duration.ofSeconds(10), "Convergence ingest", log);
    }
}
