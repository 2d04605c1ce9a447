package io.kimi.core.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kimi.core.ConvergenceTotals;
import io.kimi.core.Event;
import io.kimi.core.RequestRecord;
import io.kimi.core.RequestStatus;
import io.kimi.core.Session;
import io.kimi.core.SessionKind;
import io.kimi.core.SessionStatus;
import io.kimi.core.SessionTotals;
import io.kimi.core.TokenUsage;
import io.kimi.core.store.Page;
import io.kimi.core.store.SessionQuery;
import io.kimi.core.store.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreTest {
    /** A guard against deadlocks, not a timing assertion. */
    private static final long GUARD_SECONDS = 60;
    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(T0, ZoneOffset.UTC);

    @TempDir
    Path dir;

    private Path file;
    private SqliteStore store;

    @BeforeEach
    void open() {
        file = dir.resolve("nested/dir/dashboard.db");
        store = SqliteStore.open(file, CLOCK);
    }

    @AfterEach
    void close() {
        store.close();
    }

    // ---- round trips -------------------------------------------------------------------------------------

    @Test
    void sessionRoundTripKeepsEveryField() throws Exception {
        Session proxy = new Session("s-proxy", SessionKind.PROXY, "my session", "some target",
                SessionStatus.COMPLETED, T0.plusNanos(123_456_789), T0.plusSeconds(3600), "IDLE", 7,
                "{\"a\":[1,2]}", "moonshot", "kimi-k2", 131_072,
                new SessionTotals(10, 2, 1000, 500, 300, 980, 1500, 0.012345), false, ConvergenceTotals.ZERO);
        Session convergence = new Session("s-conv", SessionKind.CONVERGENCE, null, "repo/x",
                SessionStatus.FAILED, T0, null, null, 0, null, null, null, 0, SessionTotals.ZERO, false,
                new ConvergenceTotals(5, 3, 2, 40, 1));
        store.saveSession(proxy);
        store.saveSession(convergence);
        await(store.flush());

        assertThat(store.findSession("s-proxy")).contains(proxy);
        assertThat(store.findSession("s-conv")).contains(convergence);
        assertThat(store.findSession("nope")).isEmpty();
    }

    @Test
    void requestRoundTripKeepsEveryFieldAndReportedNullWhenNotReported() throws Exception {
        store.saveSession(proxySession("s1", T0));
        RequestRecord reported = new RequestRecord("r1", "s1", T0.plusNanos(1), "moonshot", "kimi", "kimi-k2-0711",
                true, RequestStatus.SUCCESS, 200, null, null, new TokenUsage(100, 50, 0),
                new TokenUsage(98, 51, 64), 0.00042, 1234, 87, "proxy");
        RequestRecord estimatedOnly = new RequestRecord("r2", "s1", T0.plusSeconds(1), "openai", "gpt", "gpt-4o",
                false, RequestStatus.ERROR, 502, "upstream_error", "connection reset", new TokenUsage(7, 0, 0),
                null, 0.0, 15, -1, "error");
        store.saveRequest(reported);
        store.saveRequest(estimatedOnly);
        await(store.flush());

        Page<RequestRecord> page = store.listRequests("s1", 10, 0);
        assertThat(page.items()).containsExactly(estimatedOnly, reported);
        assertThat(page.items().get(0).reported()).isNull();
        assertThat(page.total()).isEqualTo(2);
    }

    @Test
    void requestRoundTripKeepsHowItsReplyWasCounted() throws Exception {
        store.saveSession(proxySession("s1", T0));
        RequestRecord partlyEstimated = new RequestRecord("r1", "s1", T0, "moonshot", "kimi", "kimi-k2", false,
                RequestStatus.SUCCESS, 200, null, null, new TokenUsage(10, 4_000_000, 0), null, 0.5, 900, 40,
                "proxy", 123_456_789L, null);
        RequestRecord failed = new RequestRecord("r2", "s1", T0.plusSeconds(1), "moonshot", "kimi", "kimi-k2", true,
                RequestStatus.SUCCESS, 200, null, null, new TokenUsage(10, 2_000, 0), null, 0.1, 900, 40, "proxy",
                0, "OutOfMemoryError while counting the reply");
        store.saveRequest(partlyEstimated);
        store.saveRequest(failed);
        await(store.flush());

        assertThat(store.listRequests("s1", 10, 0).items()).containsExactly(failed, partlyEstimated);
    }

    @Test
    void aVersionFiveDatabaseKeepsItsRequestsAsCountedWhole() throws Exception {
        store.close();
        Path old = dir.resolve("v5.db");
        Jdbi.create("jdbc:sqlite:" + old).useHandle(h -> {
            new Migrations(Migrations.ALL.subList(0, 5), CLOCK).migrate(h, old.toString());
            h.execute("INSERT INTO sessions (session_id, kind, name, status, start_time, provider, model,"
                    + " context_window) VALUES ('s1', 'proxy', 'n', 'running', ?, 'moonshot', 'kimi-k2', 1000)",
                    SqliteTime.format(T0));
            h.execute("INSERT INTO requests (request_id, session_id, timestamp, provider, model, upstream_model,"
                    + " stream, status, http_status, est_prompt, est_completion, est_cached, cost_usd, latency_ms,"
                    + " ttft_ms, source) VALUES ('r1', 's1', ?, 'moonshot', 'kimi', 'kimi-k2', 0, 'success', 200,"
                    + " 10, 5, 0, 0.0, 100, 20, 'proxy')", SqliteTime.format(T0));
        });

        store = SqliteStore.open(old, CLOCK);

        RequestRecord r = store.listRequests("s1", 10, 0).items().get(0);
        assertThat(r.estimatedReplyBytes()).isZero();
        assertThat(r.accountingError()).isNull();
        assertThat(store.readers().withHandle(Migrations::currentVersion)).isEqualTo(Migrations.ALL.size());
    }

    @Test
    void eventRoundTripKeepsEveryField() throws Exception {
        store.saveSession(convergenceSession("c1", T0));
        Event event = new Event("e1", "c1", T0.plusMillis(5), 3, "FIXING", "SOMETHING_NEW",
                "{\"findings\":{\"high\":2}}");
        assertThat(await(store.appendEvent(event))).isTrue();

        assertThat(store.listEvents("c1", 10, 0).items()).containsExactly(event);
    }

    // ---- schema --------------------------------------------------------------------------------------------

    @Test
    void migrationsRunOnceAcrossReopens() {
        store.close();
        store = SqliteStore.open(file, Clock.fixed(T0.plusSeconds(60), ZoneOffset.UTC));
        store.close();
        store = SqliteStore.open(file, Clock.fixed(T0.plusSeconds(120), ZoneOffset.UTC));

        List<String> rows = raw().withHandle(h -> h.createQuery(
                        "SELECT version || ' ' || applied_at FROM schema_version ORDER BY version")
                .mapTo(String.class).list());
        assertThat(rows).hasSize(Migrations.ALL.size());
        assertThat(rows.get(0)).isEqualTo("1 " + SqliteTime.format(T0));
    }

    @Test
    void databaseNewerThanTheCodeIsRefusedNamingFileAndVersions() {
        store.close();
        raw().useHandle(h -> h.execute("INSERT INTO schema_version (version, applied_at) VALUES (99, 'x')"));

        assertThatThrownBy(() -> SqliteStore.open(file, CLOCK))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(file.toAbsolutePath().normalize().toString())
                .hasMessageContaining("99")
                .hasMessageContaining("(" + Migrations.ALL.size() + ")");
        store = SqliteStore.open(dir.resolve("other.db"), CLOCK); // so that @AfterEach has one to close
    }

    @Test
    void everyConnectionRunsInWalModeWithForeignKeysAndBusyTimeout() throws Exception {
        List<String> writer = await(store.submit("pragmas", SqliteStoreTest::pragmas));
        List<String> reader = store.readers().withHandle(SqliteStoreTest::pragmas);

        assertThat(writer).containsExactly("wal", "1", "1", "5000");
        assertThat(reader).containsExactly("wal", "1", "1", "5000");
        String queryOnly = store.readers().withHandle(h -> h.createQuery("PRAGMA query_only").mapTo(String.class).one());
        assertThat(queryOnly).isEqualTo("1");
        assertThat(rawString("PRAGMA journal_mode"))
                .as("WAL is recorded in the file itself")
                .isEqualTo("wal");
    }

    private static List<String> pragmas(Handle h) {
        List<String> values = new ArrayList<>();
        for (String pragma : List.of("journal_mode", "synchronous", "foreign_keys", "busy_timeout")) {
            values.add(h.createQuery("PRAGMA " + pragma).mapTo(String.class).one());
        }
        return values; // synchronous NORMAL is 1
    }

    @Test
    void sessionTimesOfDifferentPrecisionSortByTime() throws Exception {
        // Instant.toString() gives "...:00Z" and "...:00.500Z", whose text order is the reverse of time order.
        store.saveSession(proxySession("whole", T0));
        store.saveSession(proxySession("half", T0.plusMillis(500)));
        store.saveSession(proxySession("earlier", T0.minusNanos(1)));
        await(store.flush());

        assertThat(ids(store.listSessions(new SessionQuery(null, null, 10, 0)).items()))
                .containsExactly("half", "whole", "earlier");
    }

    // ---- write semantics -----------------------------------------------------------------------------------

    @Test
    void duplicateEventIsIgnoredAndKeepsTheFirst() throws Exception {
        store.saveSession(convergenceSession("c1", T0));
        Event first = new Event("e1", "c1", T0, 1, "DIAGNOSING", "STEP_STARTED", "{\"n\":1}");
        Event again = new Event("e1", "c1", T0.plusSeconds(1), 2, "FIXING", "STEP_COMPLETE", "{\"n\":2}");

        assertThat(await(store.appendEvent(first))).isTrue();
        assertThat(await(store.appendEvent(again))).isFalse();

        Page<Event> events = store.listEvents("c1", 10, 0);
        assertThat(events.items()).containsExactly(first);
        assertThat(events.total()).isEqualTo(1);
    }

    @Test
    void activatingTwoSessionsInTurnLeavesOnlyTheLastActive() throws Exception {
        store.saveSession(proxySession("s1", T0));
        store.saveSession(proxySession("s2", T0.plusSeconds(1)));
        store.activateSession("s1");
        await(store.activateSession("s2"));

        assertThat(store.findActiveSession()).map(Session::sessionId).contains("s2");
        assertThat(store.findSession("s1")).map(Session::active).contains(false);
        assertThat(store.findSession("s2")).map(Session::active).contains(true);
        assertThat(rawInt("SELECT COUNT(*) FROM sessions WHERE active = 1")).isEqualTo(1);
    }

    @Test
    void savingASessionAsActiveDeactivatesTheOthers() throws Exception {
        store.saveSession(proxySession("s1", T0));
        await(store.activateSession("s1"));
        await(store.saveSession(proxySession("s2", T0).withActive(true)));

        assertThat(store.findActiveSession()).map(Session::sessionId).contains("s2");
        assertThat(store.findSession("s1")).map(Session::active).contains(false);
    }

    @Test
    void activatingAnUnknownOrConvergenceSessionFails() {
        store.saveSession(convergenceSession("c1", T0));

        assertThat(failure(store.activateSession("nope")))
                .isInstanceOf(StoreException.class)
                .hasMessage("unknown session: nope");
        assertThat(failure(store.activateSession("c1")))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("c1");
    }

    @Test
    void savingASessionAgainReplacesItsFieldsAndKeepsItsRequests() throws Exception {
        Session session = proxySession("s1", T0);
        store.saveSession(session);
        store.saveRequest(request("r1", "s1", T0));
        store.appendEvent(new Event("e1", "s1", T0, 0, null, "REQUEST_COMPLETED", null));
        Session updated = session.withTotals(new SessionTotals(1, 0, 10, 5, 0, 9, 15, 0.5))
                .withModel("openai", "gpt-4o", 128_000);
        store.saveSession(updated);
        await(store.flush());

        assertThat(store.findSession("s1")).contains(updated);
        assertThat(store.listRequests("s1", 10, 0).total()).isEqualTo(1);
        assertThat(store.listEvents("s1", 10, 0).total()).isEqualTo(1);
    }

    @Test
    void deletingASessionCascadesToItsRequestsAndEvents() throws Exception {
        store.saveSession(proxySession("s1", T0));
        store.saveSession(proxySession("s2", T0));
        store.saveRequest(request("r1", "s1", T0));
        store.saveRequest(request("r2", "s2", T0));
        store.appendEvent(new Event("e1", "s1", T0, 0, null, "REQUEST_COMPLETED", null));

        assertThat(await(store.deleteSession("s1"))).isTrue();
        assertThat(await(store.deleteSession("s1"))).isFalse();

        assertThat(store.findSession("s1")).isEmpty();
        assertThat(rawInt("SELECT (SELECT COUNT(*) FROM requests WHERE session_id = 's1')"
                + " + (SELECT COUNT(*) FROM events WHERE session_id = 's1')")).isZero();
        assertThat(store.listRequests("s2", 10, 0).total()).isEqualTo(1);
    }

    @Test
    void requestForAnUnknownSessionFails() {
        assertThat(failure(store.saveRequest(request("r1", "missing", T0))))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("saveRequest r1");
    }

    @Test
    void aFailingWriteInABatchFailsAloneWhileTheOthersCommit() throws Exception {
        store.saveSession(proxySession("s1", T0));
        CountDownLatch writerBusy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> blocker = store.submit("block", h -> {
            writerBusy.countDown();
            awaitLatch(release);
            return null;
        });
        assertThat(writerBusy.await(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();

        // Queued while the writer is busy, so they are taken as one batch.
        CompletableFuture<Void> first = store.saveRequest(request("r1", "s1", T0));
        CompletableFuture<Void> bad = store.saveRequest(request("r2", "no-such-session", T0));
        CompletableFuture<Boolean> event = store.appendEvent(new Event("e1", "s1", T0, 0, null, "X", null));
        CompletableFuture<Void> last = store.saveRequest(request("r3", "s1", T0.plusSeconds(1)));
        release.countDown();

        await(blocker);
        await(first);
        assertThat(await(event)).isTrue();
        await(last);
        assertThat(failure(bad)).isInstanceOf(StoreException.class).hasMessageContaining("r2");
        assertThat(ids(store.listRequests("s1", 10, 0).items())).containsExactly("r3", "r1");
        assertThat(store.listEvents("s1", 10, 0).total()).isEqualTo(1);
    }

    @Test
    void readsDoNotWaitForAWriteInProgress() throws Exception {
        store.saveSession(proxySession("committed", T0));
        await(store.flush());
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> slowWrite = store.submit("slow", h -> {
            Writes.saveSession(h, proxySession("uncommitted", T0));
            writing.countDown();
            awaitLatch(release);
            return null;
        });
        assertThat(writing.await(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();

        // The write transaction is open on the writer thread; reads still run, and see only committed rows.
        assertThat(store.findSession("committed")).isPresent();
        assertThat(store.findSession("uncommitted")).isEmpty();

        release.countDown();
        await(slowWrite);
        assertThat(store.findSession("uncommitted")).isPresent();
    }

    @Test
    void flushCompletesAfterEveryEarlierWrite() throws Exception {
        store.saveSession(proxySession("s1", T0));
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            writes.add(store.saveRequest(request("r" + i, "s1", T0.plusSeconds(i))));
        }
        await(store.flush());

        assertThat(writes).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        assertThat(store.listRequests("s1", 1, 0).total()).isEqualTo(100);
    }

    // ---- close ---------------------------------------------------------------------------------------------

    @Test
    void closeCommitsEverythingQueued() throws Exception {
        store.saveSession(convergenceSession("c1", T0));
        int count = 3 * BatchWriter.MAX_BATCH + 17;
        List<CompletableFuture<Boolean>> appends = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            appends.add(store.appendEvent(new Event("e" + i, "c1", T0.plusMillis(i), i, null, "METRICS", null)));
        }
        store.close();

        assertThat(appends).allMatch(f -> f.isDone() && !f.isCompletedExceptionally() && f.join());
        store = SqliteStore.open(file, CLOCK);
        Page<Event> events = store.listEvents("c1", 5, 0);
        assertThat(events.total()).isEqualTo(count);
        assertThat(events.items()).extracting(Event::eventId).containsExactly("e0", "e1", "e2", "e3", "e4");
    }

    @Test
    void writesAndReadsAfterCloseFailAndCloseIsIdempotent() {
        store.close();
        store.close();

        assertThat(failure(store.saveSession(proxySession("s1", T0))))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("store is closed");
        assertThat(failure(store.flush())).isInstanceOf(StoreException.class);
        assertThatThrownBy(() -> store.findSession("s1"))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("store is closed");
    }

    @Test
    void closeFromADependentStageOnTheWriterThreadDoesNotDeadlock() throws Exception {
        CompletableFuture<Void> closed = store.flush().thenRun(store::close);
        await(closed);
        assertThat(failure(store.flush())).hasMessageContaining("store is closed");
    }

    // ---- concurrency ---------------------------------------------------------------------------------------

    @Test
    void concurrentWritersAllLand() throws Exception {
        store.saveSession(proxySession("s1", T0));
        int threads = 8;
        int perThread = 250;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<CompletableFuture<Void>>>> submitted = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                submitted.add(pool.submit(() -> {
                    List<CompletableFuture<Void>> mine = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        mine.add(store.saveRequest(request("r-" + thread + "-" + i, "s1", T0.plusMillis(i))));
                    }
                    return mine;
                }));
            }
            for (Future<List<CompletableFuture<Void>>> f : submitted) {
                for (CompletableFuture<Void> write : f.get(GUARD_SECONDS, TimeUnit.SECONDS)) {
                    await(write);
                }
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(store.listRequests("s1", 1, 0).total()).isEqualTo((long) threads * perThread);
    }

    // ---- reads ---------------------------------------------------------------------------------------------

    @Test
    void listSessionsPagesNewestFirstWithFiltersAndTotals() throws Exception {
        for (int i = 0; i < 15; i++) {
            Session s = proxySession(String.format("p%02d", i), T0.plusSeconds(i * 2L));
            store.saveSession(i % 3 == 0 ? withStatus(s, SessionStatus.COMPLETED) : s);
        }
        for (int i = 0; i < 10; i++) {
            Session s = convergenceSession(String.format("c%02d", i), T0.plusSeconds(i * 2L + 1));
            store.saveSession(i % 2 == 0 ? withStatus(s, SessionStatus.CONVERGED) : s);
        }
        await(store.flush());

        Page<Session> first = store.listSessions(new SessionQuery(null, null, 10, 0));
        assertThat(first.total()).isEqualTo(25);
        assertThat(first.limit()).isEqualTo(10);
        assertThat(ids(first.items())).containsExactly("p14", "p13", "p12", "p11", "p10", "c09", "p09", "c08",
                "p08", "c07");
        Page<Session> last = store.listSessions(new SessionQuery(null, null, 10, 20));
        assertThat(ids(last.items())).containsExactly("p02", "c01", "p01", "c00", "p00");
        assertThat(last.total()).isEqualTo(25);
        assertThat(last.offset()).isEqualTo(20);

        Page<Session> proxies = store.listSessions(new SessionQuery(SessionKind.PROXY, null, 3, 0));
        assertThat(proxies.total()).isEqualTo(15);
        assertThat(ids(proxies.items())).containsExactly("p14", "p13", "p12");
        Page<Session> completedProxies =
                store.listSessions(new SessionQuery(SessionKind.PROXY, SessionStatus.COMPLETED, 100, 0));
        assertThat(ids(completedProxies.items())).containsExactly("p12", "p09", "p06", "p03", "p00");
        Page<Session> running = store.listSessions(new SessionQuery(null, SessionStatus.RUNNING, 100, 0));
        assertThat(running.total()).isEqualTo(10 + 5);
        assertThat(store.listSessions(new SessionQuery(null, null, 10, 100)).items()).isEmpty();

        assertThat(store.countSessions(SessionKind.PROXY)).isEqualTo(15);
        assertThat(store.countSessions(SessionKind.CONVERGENCE)).isEqualTo(10);
    }

    @Test
    void listRequestsIsNewestFirstAndListEventsOldestFirstInInsertionOrderOnTies() throws Exception {
        store.saveSession(proxySession("s1", T0));
        for (int i = 0; i < 5; i++) {
            store.saveRequest(request("r" + i, "s1", T0.plusSeconds(i)));
        }
        store.appendEvent(new Event("b", "s1", T0.plusSeconds(1), 0, null, "X", null));
        store.appendEvent(new Event("a", "s1", T0.plusSeconds(1), 0, null, "X", null));
        store.appendEvent(new Event("c", "s1", T0.plusSeconds(1), 0, null, "X", null));
        store.appendEvent(new Event("z", "s1", T0, 0, null, "X", null));
        await(store.flush());

        Page<RequestRecord> requests = store.listRequests("s1", 2, 1);
        assertThat(ids(requests.items())).containsExactly("r3", "r2");
        assertThat(requests.total()).isEqualTo(5);
        assertThat(store.listEvents("s1", 10, 0).items()).extracting(Event::eventId)
                .containsExactly("z", "b", "a", "c");
        assertThat(store.listEvents("s1", 2, 2).items()).extracting(Event::eventId).containsExactly("a", "c");
        assertThat(store.listEvents("unknown", 10, 0).total()).isZero();
    }

    @Test
    void pagingArgumentsAreValidated() {
        assertThatThrownBy(() -> store.listRequests("s1", 0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limit: 0");
        assertThatThrownBy(() -> store.listEvents("s1", 10, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("offset: -1");
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private Jdbi raw() {
        assertThat(Files.exists(file)).isTrue();
        return Jdbi.create("jdbc:sqlite:" + file);
    }

    private String rawString(String sql) {
        return raw().withHandle(h -> h.createQuery(sql).mapTo(String.class).one());
    }

    private int rawInt(String sql) {
        return raw().withHandle(h -> h.createQuery(sql).mapTo(Integer.class).one());
    }

    private static Session proxySession(String id, Instant start) {
        return Session.newProxy(id, "name " + id, start, "moonshot", "kimi-k2", 131_072);
    }

    private static Session convergenceSession(String id, Instant start) {
        return new Session(id, SessionKind.CONVERGENCE, null, "target " + id, SessionStatus.RUNNING, start, null,
                "IDLE", 0, "{}", null, null, 0, SessionTotals.ZERO, false, ConvergenceTotals.ZERO);
    }

    private static Session withStatus(Session s, SessionStatus status) {
        return s.withState(status, s.currentState(), s.currentIteration(), s.endTime());
    }

    private static RequestRecord request(String id, String sessionId, Instant at) {
        return new RequestRecord(id, sessionId, at, "moonshot", "kimi", "kimi-k2", true, RequestStatus.SUCCESS,
                200, null, null, new TokenUsage(10, 5, 0), new TokenUsage(11, 5, 0), 0.001, 100, 20, "proxy");
    }

    private static List<String> ids(List<?> items) {
        List<String> ids = new ArrayList<>();
        for (Object item : items) {
            ids.add(item instanceof Session s ? s.sessionId() : ((RequestRecord) item).requestId());
        }
        return ids;
    }

    private static <T> T await(CompletableFuture<T> future)
            throws InterruptedException, ExecutionException, TimeoutException {
        return future.get(GUARD_SECONDS, TimeUnit.SECONDS);
    }

    private static Throwable failure(CompletableFuture<?> future) {
        try {
            future.get(GUARD_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("the future did not complete", e);
        }
        throw new AssertionError("expected the future to fail, it completed normally");
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            if (!latch.await(GUARD_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("latch not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
