package io.kimi.core.store;

import io.kimi.core.CompactionRecord;
import io.kimi.core.Event;
import io.kimi.core.Findings;
import io.kimi.core.IterationStats;
import io.kimi.core.MaskedContent;
import io.kimi.core.MemoryUsage;
import io.kimi.core.PendingRequest;
import io.kimi.core.RequestRecord;
import io.kimi.core.Session;
import io.kimi.core.SessionKind;
import io.kimi.core.SessionTotals;
import io.kimi.core.StepStats;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Persistent sessions, request records, events, and the per-iteration and per-step aggregates of convergence
 * sessions.
 *
 * <p>Writes never block the caller: each is queued for one writer thread that commits them in batches, in
 * the order they were submitted, and completes the returned future once committed (exceptionally with a
 * {@link StoreException} when the write failed; a failed write never rolls back writes of other batches).
 * Reads run on the caller's thread on their own connections, so call them off event loops. To read your own
 * writes, wait for {@link #flush()} first.
 *
 * <p>The records written after every request ({@link #saveRequest}, {@link #recordRequest}, {@link #appendEvent},
 * {@link #saveSessionTotals}, {@link #saveMask}, {@link #saveMemoryUsage}) may wait a few milliseconds to share
 * a commit with others; every other write, and a flush, is committed as soon as the writer gets to it.
 *
 * <p>Implementations are thread-safe.
 */
public interface Store extends AutoCloseable {

    /** Inserts the session, or replaces every field of the stored one with the same id. */
    CompletableFuture<Void> saveSession(Session session);

    /**
     * Stores a proxy session's totals only (nothing else of the session changes); does nothing when the session
     * no longer exists. Meant for the totals after each request: when several are queued for the same session
     * before the store gets to them, only the newest may be written.
     */
    CompletableFuture<Void> saveSessionTotals(String sessionId, SessionTotals totals);

    /**
     * Deletes the session with everything stored for it (requests, events, iterations, steps, the masks first
     * taken in it, compactions, memory figures); completes with whether it existed.
     */
    CompletableFuture<Boolean> deleteSession(String sessionId);

    /** Marks this proxy session as the only active one (and every other proxy session inactive). */
    CompletableFuture<Void> activateSession(String sessionId);

    /**
     * Appends a request record to its session (which must exist, or be saved earlier), replacing the request's
     * pending record if there is one.
     */
    CompletableFuture<Void> saveRequest(RequestRecord request);

    /**
     * Records a request about to be sent upstream, so that it leaves a trace even if the process dies before it
     * finishes. Committed as soon as the writer gets to it (it shares the commit of whatever else is queued, but
     * never waits for company), so a caller may wait for the future before sending. The finished request's
     * {@link #recordRequest} (or {@link #saveRequest}) replaces it; when the store is opened again, pending
     * records left become {@link io.kimi.core.RequestStatus#INTERRUPTED interrupted} requests, counted in their
     * session's totals (see {@link #interruptedAtOpen()}).
     */
    CompletableFuture<Void> savePendingRequest(PendingRequest pending);

    /**
     * Records a finished request in one transaction: its record (replacing its pending record), its session's
     * totals after it (only those columns, as {@link #saveSessionTotals}) and its event. A crash leaves all
     * three or none, so the stored totals always count the stored records.
     */
    CompletableFuture<Void> recordRequest(RequestRecord request, SessionTotals totalsAfter, Event event);

    /**
     * How many pending requests opening this store found (the process that wrote them had stopped without
     * finishing them) and stored as {@link io.kimi.core.RequestStatus#INTERRUPTED interrupted}.
     */
    int interruptedAtOpen();

    /** Appends an event; completes with {@code false} when an event with the same id was already stored. */
    CompletableFuture<Boolean> appendEvent(Event event);

    /**
     * Appends a batch of events in one write, all or nothing: completes with, for each event in order, whether
     * it was newly stored ({@code false} when an event with its id was stored already, or comes earlier in
     * the same batch). When one event cannot be stored (e.g. its session does not exist) none of the batch is,
     * and the future fails; the batch can be sent again once fixed.
     */
    default CompletableFuture<List<Boolean>> appendEvents(List<Event> events) {
        return appendEvents(events, stored -> Aggregates.NONE);
    }

    /**
     * As {@link #appendEvents(List)}, and in the same transaction writes the aggregates that {@code fold} makes
     * of the newly stored events: the events and their sessions' aggregates are committed together, or (when
     * anything fails, or the process dies first) neither is.
     */
    CompletableFuture<List<Boolean>> appendEvents(List<Event> events, EventFold fold);

    /**
     * Inserts a convergence session's iteration, or replaces every field of the stored one with the same
     * session and iteration. The session must exist; deleting it deletes its iterations.
     */
    CompletableFuture<Void> saveIteration(IterationStats stats);

    /**
     * Inserts a step of an iteration, or replaces every field of the stored one with the same session,
     * iteration and step. The session must exist; deleting it deletes its steps.
     */
    CompletableFuture<Void> saveStep(StepStats stats);

    /**
     * Stores masked content unless content with the same hash is stored already (then nothing changes). The
     * session must exist; deleting it deletes the masks first taken in it.
     */
    CompletableFuture<Void> saveMask(MaskedContent mask);

    /** Inserts a compaction, or replaces every field of the stored one with the same id (e.g. to undo it). */
    CompletableFuture<Void> saveCompaction(CompactionRecord compaction);

    /**
     * Adds one request's MCP memory figures to its session's sums, keeping a row of the request's own only when it
     * held memory markers. Each request is saved once (saving it again counts it again).
     */
    CompletableFuture<Void> saveMemoryUsage(MemoryUsage usage);

    /** Completes once every write submitted before this call is committed (or has failed). */
    CompletableFuture<Void> flush();

    Optional<Session> findSession(String sessionId);

    /** The active proxy session, if any. */
    Optional<Session> findActiveSession();

    Page<Session> listSessions(SessionQuery query);

    /** A session's requests, newest first. */
    Page<RequestRecord> listRequests(String sessionId, int limit, int offset);

    /** A session's events, oldest first (the order they happened). */
    Page<Event> listEvents(String sessionId, int limit, int offset);

    /** A convergence session's iterations, by iteration number (empty for an unknown session). */
    List<IterationStats> listIterations(String sessionId);

    /** A convergence session's steps, by iteration number, then step name (empty for an unknown session). */
    List<StepStats> listSteps(String sessionId);

    Optional<MaskedContent> findMask(String hash);

    /** Stored masks, newest first. */
    Page<MaskedContent> listMasks(int limit, int offset);

    /** Totals over every stored mask. */
    MaskStats maskStats();

    /** A session's compactions, newest first, undone ones included. */
    List<CompactionRecord> listCompactions(String sessionId);

    /**
     * Every compaction that still applies (not undone), oldest first, for loading at start. A session may have
     * several: a later one can replace a run that begins with an earlier one's summary.
     */
    List<CompactionRecord> listActiveCompactions();

    /** MCP memory figures summed over one session's requests, or over every request when {@code sessionId} is null. */
    MemoryStats memoryStats(String sessionId);

    /** Counts sessions per kind, for metrics. */
    long countSessions(SessionKind kind);

    /** Counts, effective tokens, cost and estimate accuracy over the requests the filter selects. */
    RequestStats requestStats(RequestFilter filter);

    /** Exact nearest-rank latency percentiles of the successful requests the filter selects. */
    LatencyPercentiles latencyPercentiles(RequestFilter filter);

    /** Counts by status and averages over the sessions of one kind; a session not ended lasts until {@code now}. */
    SessionStats sessionStats(SessionKind kind, Instant now);

    /** Findings of convergence sessions by severity: the sum of the findings of every stored iteration. */
    Findings countFindings();

    /**
     * The convergence sessions' counts by status and the sums of their iterations, findings (of every stored
     * iteration), fixes and vulnerabilities: what the live gauges start from.
     */
    ConvergenceFigures convergenceFigures();

    /** Flushes pending writes, stops the writer and closes every connection. Idempotent. */
    @Override
    void close();
}
