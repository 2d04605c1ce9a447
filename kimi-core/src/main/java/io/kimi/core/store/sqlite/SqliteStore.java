package io.kimi.core.store.sqlite;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariDataSource;
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
import io.kimi.core.store.ConvergenceFigures;
import io.kimi.core.store.EventFold;
import io.kimi.core.store.LatencyPercentiles;
import io.kimi.core.store.MaskStats;
import io.kimi.core.store.MemoryStats;
import io.kimi.core.store.Page;
import io.kimi.core.store.RequestFilter;
import io.kimi.core.store.RequestStats;
import io.kimi.core.store.SessionQuery;
import io.kimi.core.store.SessionStats;
import io.kimi.core.store.Store;
import io.kimi.core.store.StoreException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Store} on one SQLite file.
 *
 * <p>Every connection runs in WAL mode with {@code synchronous=NORMAL}, foreign keys on and a 5 s busy
 * timeout. One daemon thread, {@code kimi-store-writer}, owns the only write connection and commits queued
 * writes in batches of up to 512 per transaction; reads use a small pool of read-only connections, so they
 * never wait for the writer.
 *
 * <p>Futures returned by the write methods are completed on the writer thread: stages attached with
 * {@code thenApply}, {@code thenAccept}, ... run there and must not block or call {@link #flush()} and wait;
 * use the {@code ...Async} variants for anything slow.
 *
 * <p>Semantics beyond {@link Store}: saving a session with {@code active = true} makes it the only active one
 * (as {@link #activateSession} does); only proxy sessions can be active, so activating (or saving as active) a
 * convergence session fails with a {@link StoreException}, as does activating an unknown one
 * ({@code "unknown session: <id>"}). A request whose id is stored already fails its future. A mask, compaction
 * or memory figure of an unknown session fails its future; a mask whose hash is stored already is ignored.
 *
 * <p>A request's pending record ({@link #savePendingRequest}) is not a SQLite write: it is appended to the
 * {@link IntentJournal} beside the file ({@code <db>.intents.0|1}) on the calling thread, and the future returned
 * is already complete. The finished record ({@link #recordRequest} or {@link #saveRequest}) is then the only
 * write of the request; once it is committed, the intent is settled.
 *
 * <p>The schema is versioned ({@code schema_version}); opening applies missing migrations once and refuses a
 * database written by a newer version. Then, before the writer starts, the pending requests a killed process
 * left (in the journal, or in the {@code pending_requests} table an older version wrote) become interrupted
 * requests ({@link #interruptedAtOpen()}).
 */
public final class SqliteStore implements Store {
    private static final Logger log = LoggerFactory.getLogger(SqliteStore.class);

    private final String storeName;
    private final BatchWriter writer;
    private final IntentJournal intents;
    private final HikariDataSource readerPool;
    private final Reads reads;
    private final StatsReads stats;
    private final Jdbi readers;
    private final HashListJson json = new HashListJson();

    private final int interruptedAtOpen;

    SqliteStore(String storeName, BatchWriter writer, IntentJournal intents, HikariDataSource readerPool,
            int interruptedAtOpen) {
        this.storeName = storeName;
        this.interruptedAtOpen = interruptedAtOpen;
        this.writer = writer;
        this.intents = intents;
        this.readerPool = readerPool;
        this.readers = Jdbi.create(readerPool);
        this.reads = new Reads(readers, json);
        this.stats = new StatsReads(readers);
    }

    /**
     * Opens (creating it and its parent directories when missing) the database file and migrates it to the
     * newest schema.
     *
     * @param file the SQLite file, e.g. {@code ./dashboard.db}
     * @param clock stamps applied migrations
     * @throws StoreException when the file cannot be opened or migrated, or its schema is newer than this code
     */
    public static SqliteStore open(Path file, Clock clock) {
        return StoreOpener.open(file, clock);
    }

    @Override
    public CompletableFuture<Void> saveSession(Session session) {
        requireNonNull(session, "session");
        return writer.submit("saveSession " + session.sessionId(), h -> Writes.saveSession(h, session));
    }

    @Override
    public CompletableFuture<Void> saveSessionTotals(String sessionId, SessionTotals totals) {
        requireNonNull(sessionId, "sessionId");
        requireNonNull(totals, "totals");
        return writer.submitSuperseding("saveSessionTotals " + sessionId, "totals " + sessionId,
                h -> Writes.saveSessionTotals(h, sessionId, totals));
    }

    @Override
    public CompletableFuture<Boolean> deleteSession(String sessionId) {
        requireNonNull(sessionId, "sessionId");
        return writer.submit("deleteSession " + sessionId, h -> Writes.deleteSession(h, sessionId));
    }

    @Override
    public CompletableFuture<Void> activateSession(String sessionId) {
        requireNonNull(sessionId, "sessionId");
        return writer.submit("activateSession " + sessionId, h -> Writes.activateSession(h, sessionId));
    }

    @Override
    public CompletableFuture<Void> saveRequest(RequestRecord request) {
        requireNonNull(request, "request");
        return settling(request.requestId(),
                writer.submitRecord("saveRequest " + request.requestId(), h -> Writes.saveRequest(h, request)));
    }

    /**
     * Appends the intent to the journal on the calling thread (one {@code write()} to the page cache, no commit,
     * no hand-off): the future returned is complete, failed with a {@link StoreException} when the journal could
     * not take it (an I/O error, too many unsettled intents, a closed store). Does not check that the session
     * exists: an intent of a session gone by the next start is dropped then (logged).
     */
    @Override
    public CompletableFuture<Void> savePendingRequest(PendingRequest pending) {
        requireNonNull(pending, "pending");
        try {
            intents.append(pending);
        } catch (StoreException e) {
            return CompletableFuture.failedFuture(e);
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> recordRequest(RequestRecord request, SessionTotals totalsAfter, Event event) {
        requireNonNull(request, "request");
        requireNonNull(totalsAfter, "totalsAfter");
        requireNonNull(event, "event");
        return settling(request.requestId(), writer.submitRecord("recordRequest " + request.requestId(),
                h -> Writes.recordRequest(h, request, totalsAfter, event)));
    }

    /**
     * Settles the request's intent once its record is committed (on the writer thread, a map removal). A record
     * that failed leaves it unsettled: it is then stored as interrupted at the next start, unless a record of it
     * is stored by then.
     */
    private CompletableFuture<Void> settling(String requestId, CompletableFuture<Void> written) {
        written.thenRun(() -> intents.settled(requestId));
        return written;
    }

    @Override
    public int interruptedAtOpen() {
        return interruptedAtOpen;
    }

    @Override
    public CompletableFuture<Boolean> appendEvent(Event event) {
        requireNonNull(event, "event");
        return writer.submitRecord("appendEvent " + event.eventId(), h -> Writes.appendEvent(h, event));
    }

    /**
     * One queued write, whatever the batch's size: its events are inserted, and the aggregates {@code fold} makes
     * of them written, in one transaction.
     */
    @Override
    public CompletableFuture<List<Boolean>> appendEvents(List<Event> events, EventFold fold) {
        requireNonNull(events, "events");
        requireNonNull(fold, "fold");
        for (int i = 0; i < events.size(); i++) {
            requireNonNull(events.get(i), "events[" + i + "]");
        }
        List<Event> batch = List.copyOf(events);
        String description = batch.isEmpty() ? "appendEvents (none)"
                : "appendEvents " + batch.size() + " from " + batch.get(0).eventId();
        return writer.submit(description, h -> Writes.appendEvents(h, batch, fold));
    }

    @Override
    public CompletableFuture<Void> saveIteration(IterationStats stats) {
        requireNonNull(stats, "stats");
        return writer.submit("saveIteration " + stats.sessionId() + " #" + stats.iteration(),
                h -> Writes.saveIteration(h, stats));
    }

    @Override
    public CompletableFuture<Void> saveStep(StepStats stats) {
        requireNonNull(stats, "stats");
        return writer.submit("saveStep " + stats.sessionId() + " #" + stats.iteration() + " " + stats.step(),
                h -> Writes.saveStep(h, stats));
    }

    @Override
    public CompletableFuture<Void> saveMask(MaskedContent mask) {
        requireNonNull(mask, "mask");
        return writer.submitRecord("saveMask " + mask.hash(), h -> FeatureWrites.saveMask(h, mask)).thenApply(inserted -> null);
    }

    @Override
    public CompletableFuture<Void> saveCompaction(CompactionRecord compaction) {
        requireNonNull(compaction, "compaction");
        String hashes = json.write(compaction.messageHashes());
        return writer.submit("saveCompaction " + compaction.compactionId(),
                h -> FeatureWrites.saveCompaction(h, compaction, hashes));
    }

    @Override
    public CompletableFuture<Void> saveMemoryUsage(MemoryUsage usage) {
        requireNonNull(usage, "usage");
        return writer.submitRecord("saveMemoryUsage " + usage.requestId(), h -> FeatureWrites.saveMemoryUsage(h, usage));
    }

    @Override
    public CompletableFuture<Void> flush() {
        return writer.flush();
    }

    @Override
    public Optional<Session> findSession(String sessionId) {
        requireNonNull(sessionId, "sessionId");
        return read("findSession " + sessionId, () -> reads.findSession(sessionId));
    }

    @Override
    public Optional<Session> findActiveSession() {
        return read("findActiveSession", reads::findActiveSession);
    }

    @Override
    public Page<Session> listSessions(SessionQuery query) {
        requireNonNull(query, "query");
        return read("listSessions", () -> reads.listSessions(query));
    }

    @Override
    public Page<RequestRecord> listRequests(String sessionId, int limit, int offset) {
        requireNonNull(sessionId, "sessionId");
        checkPage(limit, offset);
        return read("listRequests " + sessionId, () -> reads.listRequests(sessionId, limit, offset));
    }

    @Override
    public Page<Event> listEvents(String sessionId, int limit, int offset) {
        requireNonNull(sessionId, "sessionId");
        checkPage(limit, offset);
        return read("listEvents " + sessionId, () -> reads.listEvents(sessionId, limit, offset));
    }

    @Override
    public List<IterationStats> listIterations(String sessionId) {
        requireNonNull(sessionId, "sessionId");
        return read("listIterations " + sessionId, () -> reads.listIterations(sessionId));
    }

    @Override
    public List<StepStats> listSteps(String sessionId) {
        requireNonNull(sessionId, "sessionId");
        return read("listSteps " + sessionId, () -> reads.listSteps(sessionId));
    }

    @Override
    public Optional<MaskedContent> findMask(String hash) {
        requireNonNull(hash, "hash");
        return read("findMask " + hash, () -> reads.findMask(hash));
    }

    @Override
    public Page<MaskedContent> listMasks(int limit, int offset) {
        checkPage(limit, offset);
        return read("listMasks", () -> reads.listMasks(limit, offset));
    }

    @Override
    public MaskStats maskStats() {
        return read("maskStats", stats::maskStats);
    }

    @Override
    public List<CompactionRecord> listCompactions(String sessionId) {
        requireNonNull(sessionId, "sessionId");
        return read("listCompactions " + sessionId, () -> reads.listCompactions(sessionId));
    }

    @Override
    public List<CompactionRecord> listActiveCompactions() {
        return read("listActiveCompactions", reads::listActiveCompactions);
    }

    @Override
    public MemoryStats memoryStats(String sessionId) {
        return read("memoryStats " + (sessionId == null ? "(all)" : sessionId), () -> stats.memoryStats(sessionId));
    }

    @Override
    public long countSessions(SessionKind kind) {
        requireNonNull(kind, "kind");
        return read("countSessions " + kind.wireName(), () -> reads.countSessions(kind));
    }

    @Override
    public RequestStats requestStats(RequestFilter filter) {
        requireNonNull(filter, "filter");
        return read("requestStats " + filter, () -> stats.requestStats(filter));
    }

    @Override
    public LatencyPercentiles latencyPercentiles(RequestFilter filter) {
        requireNonNull(filter, "filter");
        return read("latencyPercentiles " + filter, () -> stats.latencyPercentiles(filter));
    }

    @Override
    public SessionStats sessionStats(SessionKind kind, Instant now) {
        requireNonNull(kind, "kind");
        requireNonNull(now, "now");
        return read("sessionStats " + kind.wireName(), () -> stats.sessionStats(kind, now));
    }

    @Override
    public Findings countFindings() {
        return read("countFindings", stats::countFindings);
    }

    @Override
    public ConvergenceFigures convergenceFigures() {
        return read("convergenceFigures", stats::convergenceFigures);
    }

    /** Commits every queued write, stops the writer thread and closes every connection. Idempotent. */
    @Override
    public void close() {
        writer.close();
        intents.close();
        if (!readerPool.isClosed()) {
            readerPool.close();
            log.debug("Closed store {}", storeName);
        }
    }

    /** Queues any write (for tests and diagnostics in this package). */
    <T> CompletableFuture<T> submit(String description, WriteOp<T> op) {
        return writer.submit(description, op);
    }

    /** The read-only pool (for tests in this package). */
    Jdbi readers() {
        return readers;
    }

    private <T> T read(String what, Supplier<T> query) {
        if (writer.isClosed()) {
            throw new StoreException("store is closed: " + storeName);
        }
        try {
            return query.get();
        } catch (StoreException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new StoreException(what + " failed on " + storeName + ": " + e.getMessage(), e);
        }
    }

    private static void checkPage(int limit, int offset) {
        if (limit < 1 || limit > SessionQuery.MAX_LIMIT) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: 1-" + SessionQuery.MAX_LIMIT + ")");
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset: " + offset + " (expected: >= 0)");
        }
    }
}
