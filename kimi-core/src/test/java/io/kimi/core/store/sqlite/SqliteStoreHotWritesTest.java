package io.kimi.core.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.core.PendingRequest;
import io.kimi.core.RequestRecord;
import io.kimi.core.RequestStatus;
import io.kimi.core.Session;
import io.kimi.core.SessionTotals;
import io.kimi.core.TokenUsage;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writes made for every proxied request: reused statements, and session totals written once per batch. */
class SqliteStoreHotWritesTest {
    /** A guard against deadlocks, not a timing assertion. */
    private static final long GUARD_SECONDS = 60;
    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");

    @TempDir
    Path dir;

    private SqliteStore store;

    @BeforeEach
    void open() throws Exception {
        store = SqliteStore.open(dir.resolve("hot.db"), Clock.fixed(T0, ZoneOffset.UTC));
        // Every totals update the database really runs leaves a row here.
        await(store.submit("trigger", h -> {
            h.execute("CREATE TABLE totals_log (session_id TEXT, requests INTEGER)");
            h.execute("CREATE TRIGGER log_totals AFTER UPDATE OF requests ON sessions BEGIN"
                    + " INSERT INTO totals_log VALUES (new.session_id, new.requests); END");
            return null;
        }));
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void totalsChangeOnlyTheTotalsOfTheSession() throws Exception {
        Session session = Session.newProxy("s1", "named", T0, "moonshot", "kimi-k2", 262_144).withActive(true);
        store.saveSession(session);
        SessionTotals totals = new SessionTotals(3, 1, 300, 120, 40, 290, 420, 0.0125);

        await(store.saveSessionTotals("s1", totals));

        assertThat(store.findSession("s1")).contains(session.withTotals(totals));
    }

    @Test
    void totalsOfADeletedSessionDoNotBringItBack() throws Exception {
        store.saveSession(Session.newProxy("gone", "x", T0, "moonshot", "kimi-k2", 262_144));
        store.deleteSession("gone");

        await(store.saveSessionTotals("gone", new SessionTotals(1, 0, 10, 5, 0, 10, 15, 0.0)));

        assertThat(store.findSession("gone")).isEmpty();
    }

    @Test
    void totalsQueuedTogetherAreWrittenOnceWithTheNewestAndEveryCallerIsAnswered() throws Exception {
        store.saveSession(Session.newProxy("s1", "a", T0, "moonshot", "kimi-k2", 262_144));
        store.saveSession(Session.newProxy("s2", "b", T0, "moonshot", "kimi-k2", 262_144));
        CountDownLatch release = holdTheWriter();

        List<CompletableFuture<Void>> answers = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            store.saveRequest(request("r" + i, "s1"));
            answers.add(store.saveSessionTotals("s1", totalsAfter(i)));
            answers.add(store.saveSessionTotals("s2", totalsAfter(10 * i)));
        }
        release.countDown();
        for (CompletableFuture<Void> answer : answers) {
            await(answer);
        }

        assertThat(totalsLog()).containsExactly("s1=5", "s2=50");
        assertThat(store.findSession("s1").orElseThrow().totals()).isEqualTo(totalsAfter(5));
        assertThat(store.findSession("s2").orElseThrow().totals()).isEqualTo(totalsAfter(50));
        assertThat(store.listRequests("s1", 10, 0).total()).isEqualTo(5);
    }

    @Test
    void totalsQueuedInDifferentBatchesAreEachWritten() throws Exception {
        store.saveSession(Session.newProxy("s1", "a", T0, "moonshot", "kimi-k2", 262_144));
        await(store.saveSessionTotals("s1", totalsAfter(1)));
        await(store.saveSessionTotals("s1", totalsAfter(2)));

        assertThat(totalsLog()).containsExactly("s1=1", "s1=2");
    }

    @Test
    void aFullSaveAfterQueuedTotalsStillWinsWhereItComesLater() throws Exception {
        Session session = Session.newProxy("s1", "a", T0, "moonshot", "kimi-k2", 262_144);
        store.saveSession(session);
        CountDownLatch release = holdTheWriter();
        store.saveSessionTotals("s1", totalsAfter(1));
        Session renamed = new Session(session.sessionId(), session.kind(), "renamed", session.target(),
                session.status(), session.startTime(), session.endTime(), session.currentState(),
                session.currentIteration(), session.configJson(), session.provider(), session.model(),
                session.contextWindow(), totalsAfter(7), session.active(), session.convergence());
        store.saveSession(renamed);
        store.saveSessionTotals("s1", totalsAfter(8));
        release.countDown();
        await(store.flush());

        Session stored = store.findSession("s1").orElseThrow();
        assertThat(stored.name()).isEqualTo("renamed");
        assertThat(stored.totals()).isEqualTo(totalsAfter(8));
    }

    @Test
    void theWriterPreparesEachStatementOnceAndReusesIt() throws Exception {
        store.saveSession(Session.newProxy("s1", "a", T0, "moonshot", "kimi-k2", 262_144));
        store.saveRequest(request("r-first", "s1"));
        await(store.saveSessionTotals("s1", totalsAfter(1)));
        int cachedAfterOne = await(store.submit("cache size",
                h -> ((CachedStatements) h.getStatementBuilder()).size()));
        for (int i = 0; i < 199; i++) {
            store.saveRequest(request("r" + i, "s1"));
            await(store.saveSessionTotals("s1", totalsAfter(i + 2)));
        }
        int cached = await(store.submit("cache size",
                h -> ((CachedStatements) h.getStatementBuilder()).size()));

        // the recovery's reads at open, the trigger set-up, the session upsert, the pending delete, the request
        // insert and the totals update: the same statements however many requests follow
        assertThat(cachedAfterOne).isBetween(4, 8);
        assertThat(cached).isEqualTo(cachedAfterOne);
        assertThat(store.listRequests("s1", 1, 0).total()).isEqualTo(200);
        assertThat(store.findSession("s1").orElseThrow().totals()).isEqualTo(totalsAfter(200));
    }

    @Test
    void theSameStatementUsedWhileStillOpenGetsAFreshOne() throws Exception {
        List<Integer> seen = await(store.submit("nested", h -> {
            String sql = "SELECT value FROM (SELECT 1 AS value UNION ALL SELECT 2 UNION ALL SELECT 3)"
                    + " ORDER BY value";
            List<Integer> values = new ArrayList<>();
            try (Stream<Integer> outer = h.createQuery(sql).mapTo(Integer.class).stream()) {
                Iterator<Integer> it = outer.iterator();
                while (it.hasNext()) {
                    int value = it.next();
                    List<Integer> inner = h.createQuery(sql).mapTo(Integer.class).list();
                    values.add(value * 10 + inner.size());
                }
            }
            return values;
        }));

        assertThat(seen).containsExactly(13, 23, 33);
    }

    @Test
    void aPendingRecordIsTracedWithoutTheWriterAndItsFinishedRecordTouchesNoPendingRow() throws Exception {
        store.saveSession(Session.newProxy("s1", "a", T0, "moonshot", "kimi-k2", 262_144));
        await(store.submit("write log", h -> {
            h.execute("CREATE TABLE write_log (what TEXT)");
            h.execute("CREATE TRIGGER log_requests AFTER INSERT ON requests BEGIN"
                    + " INSERT INTO write_log VALUES ('request ' || new.request_id); END");
            h.execute("CREATE TRIGGER log_pending AFTER INSERT ON pending_requests BEGIN"
                    + " INSERT INTO write_log VALUES ('pending ' || new.request_id); END");
            h.execute("CREATE TRIGGER log_pending_deletes AFTER DELETE ON pending_requests BEGIN"
                    + " INSERT INTO write_log VALUES ('pending deleted ' || old.request_id); END");
            return null;
        }));
        CountDownLatch release = holdTheWriter();

        // The writer is busy: the trace must not wait for it (it is in the intent journal once this returns).
        CompletableFuture<Void> traced = store.savePendingRequest(pending("p1", "s1"));
        assertThat(traced).isCompleted();
        assertThat(IntentJournal.read(dir.resolve("hot.db")).intents()).extracting(PendingRequest::requestId).containsExactly("p1");
        CompletableFuture<Void> record = store.saveRequest(request("p1", "s1"));
        release.countDown();
        await(record);

        List<String> log = await(store.submit("read log", h -> h.createQuery(
                "SELECT what FROM write_log ORDER BY rowid").mapTo(String.class).list()));
        assertThat(log).as("one INSERT per request, no pending row written or deleted")
                .containsExactly("request p1");
    }

    private static PendingRequest pending(String id, String sessionId) {
        return new PendingRequest(id, sessionId, T0, "moonshot", "kimi", "kimi-k2", true, 10, "proxy");
    }

    /** Keeps the writer busy until the returned latch is released, so what is queued meanwhile is one batch. */
    private CountDownLatch holdTheWriter() throws InterruptedException {
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        store.submit("hold", h -> {
            busy.countDown();
            try {
                if (!release.await(GUARD_SECONDS, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return null;
        });
        assertThat(busy.await(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
        return release;
    }

    private List<String> totalsLog() throws Exception {
        return await(store.submit("read log", h -> h.createQuery(
                "SELECT session_id || '=' || requests FROM totals_log ORDER BY rowid").mapTo(String.class).list()));
    }

    private static SessionTotals totalsAfter(int requests) {
        return new SessionTotals(requests, 0, 10L * requests, 5L * requests, 0, 10L * requests, 15, 0.001 * requests);
    }

    private static RequestRecord request(String id, String sessionId) {
        return new RequestRecord(id, sessionId, T0, "moonshot", "kimi", "kimi-k2", true, RequestStatus.SUCCESS,
                200, null, null, new TokenUsage(10, 5, 0), new TokenUsage(11, 5, 0), 0.001, 100, 20, "proxy");
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(GUARD_SECONDS, TimeUnit.SECONDS);
    }
}
