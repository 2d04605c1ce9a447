package io.kimi.core.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.core.Event;
import io.kimi.core.PendingRequest;
import io.kimi.core.RequestRecord;
import io.kimi.core.RequestStatus;
import io.kimi.core.Session;
import io.kimi.core.SessionTotals;
import io.kimi.core.TokenUsage;
import io.kimi.core.store.RequestFilter;
import io.kimi.core.store.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pending request records of {@link SqliteStore}: appended to the intent journal before a request goes upstream,
 * settled by the finished record, and turned into {@code interrupted} requests when a store is opened on a file
 * whose journal still holds some. (A real {@code kill -9} is in kimi-api's CrashConsistencyTest; here the intents
 * are left by not finishing.)
 */
class SqliteStorePendingRequestsTest {
    /** A guard against deadlocks, not a timing assertion. */
    private static final long GUARD_SECONDS = 120;
    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(T0, ZoneOffset.UTC);

    @TempDir
    Path dir;

    private Path file;
    private SqliteStore store;

    @BeforeEach
    void open() throws Exception {
        file = dir.resolve("dashboard.db");
        store = SqliteStore.open(file, CLOCK);
        await(store.saveSession(Session.newProxy("s1", "one", T0, "moonshot", "kimi-k2", 1000)));
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void aPendingRequestLeftBehindBecomesAnInterruptedRequestCountedInItsSessionWhenTheStoreIsOpenedAgain()
            throws Exception {
        SessionTotals before = new SessionTotals(2, 0, 300, 40, 0, 290, 340, 0.5);
        await(store.saveSessionTotals("s1", before));
        await(store.savePendingRequest(pending("r1", 120)));
        await(store.savePendingRequest(pending("r2", 80)));
        assertThat(store.interruptedAtOpen()).isZero();
        assertThat(store.listRequests("s1", 10, 0).items()).as("pending is not a finished request").isEmpty();
        store.close();

        store = SqliteStore.open(file, CLOCK);

        assertThat(store.interruptedAtOpen()).isEqualTo(2);
        assertThat(store.listRequests("s1", 10, 0).items()).extracting(RequestRecord::requestId)
                .containsExactlyInAnyOrder("r1", "r2");
        RequestRecord r1 = store.listRequests("s1", 10, 0).items().stream()
                .filter(r -> r.requestId().equals("r1")).findFirst().orElseThrow();
        assertThat(r1).isEqualTo(pending("r1", 120).interrupted());
        assertThat(r1.status()).isEqualTo(RequestStatus.INTERRUPTED);
        assertThat(r1.httpStatus()).isZero();
        assertThat(r1.estimated()).isEqualTo(new TokenUsage(120, 0, 0));
        assertThat(r1.effective()).as("nothing is known to be billed").isEqualTo(TokenUsage.ZERO);
        // counted as any finished request is: two more requests, both failed, their estimates added
        assertThat(store.findSession("s1").orElseThrow().totals())
                .isEqualTo(before.plus(r1).plus(pending("r2", 80).interrupted()));
        assertThat(store.listEvents("s1", 10, 0).items()).extracting(Event::eventType)
                .containsExactly("REQUEST_FAILED", "REQUEST_FAILED");
        assertThat(store.listEvents("s1", 10, 0).items().get(0).dataJson()).contains("\"status\":\"interrupted\"");
        assertThat(store.requestStats(RequestFilter.all()).failedRequests()).isEqualTo(2);

        store.close();
        store = SqliteStore.open(file, CLOCK);
        assertThat(store.interruptedAtOpen()).as("each pending record is recovered once").isZero();
        assertThat(store.listRequests("s1", 10, 0).total()).isEqualTo(2);
    }

    @Test
    void theFinishedRecordReplacesThePendingOneWithItsTotalsAndEventInOneWrite() throws Exception {
        await(store.savePendingRequest(pending("r1", 120)));
        RequestRecord done = finished("r1");
        SessionTotals after = SessionTotals.ZERO.plus(done);

        await(store.recordRequest(done, after, event("e1")));
        store.close();
        store = SqliteStore.open(file, CLOCK);

        assertThat(store.interruptedAtOpen()).isZero();
        assertThat(store.listRequests("s1", 10, 0).items()).containsExactly(done);
        assertThat(store.findSession("s1").orElseThrow().totals()).isEqualTo(after);
        assertThat(store.listEvents("s1", 10, 0).items()).extracting(Event::eventId).containsExactly("e1");
    }

    @Test
    void aRecordThatCannotBeStoredLeavesTheTotalsAndEventsAsTheyWere() throws Exception {
        RequestRecord done = finished("r1");
        SessionTotals after = SessionTotals.ZERO.plus(done);
        await(store.recordRequest(done, after, event("e1")));

        // the same request id again: its insert fails, so neither its totals nor its event may be kept
        CompletableFuture<Void> again = store.recordRequest(done, after.plus(done), event("e2"));

        assertThat(failure(again)).isInstanceOf(StoreException.class).hasMessageContaining("recordRequest r1");
        assertThat(store.findSession("s1").orElseThrow().totals()).isEqualTo(after);
        assertThat(store.listEvents("s1", 10, 0).items()).extracting(Event::eventId).containsExactly("e1");
    }

    @Test
    void aPendingRequestOfADeletedOrUnknownSessionIsDroppedAtTheNextStartWithoutStoppingIt() throws Exception {
        await(store.savePendingRequest(pending("r1", 120)));
        await(store.savePendingRequest(new PendingRequest("r9", "missing", T0, "moonshot", "kimi-k2",
                "kimi-k2-0905", false, 10, "proxy")));

        assertThat(await(store.deleteSession("s1"))).isTrue();
        store.close();
        store = SqliteStore.open(file, CLOCK);

        assertThat(store.interruptedAtOpen()).isZero();
        assertThat(store.requestStats(RequestFilter.all()).requests()).isZero();
        for (Path segment : IntentJournal.segmentsOf(file)) {
            assertThat(Files.size(segment)).as("emptied once recovered").isZero();
        }
    }

    @Test
    void aPendingRowLeftByAnOlderVersionStillBecomesAnInterruptedRequest() throws Exception {
        store.close();
        Jdbi.create("jdbc:sqlite:" + file).useHandle(h -> h.execute("INSERT INTO pending_requests (request_id,"
                + " session_id, timestamp, provider, model, upstream_model, stream, est_prompt, source)"
                + " VALUES ('old', 's1', '2024-05-01T12:00:00.000000000Z', 'moonshot', 'kimi-k2', 'kimi-k2-0905',"
                + " 1, 120, 'proxy')"));

        store = SqliteStore.open(file, CLOCK);

        assertThat(store.interruptedAtOpen()).isEqualTo(1);
        assertThat(store.listRequests("s1", 10, 0).items()).containsExactly(pending("old", 120).interrupted());
        int left = Jdbi.create("jdbc:sqlite:" + file).withHandle(h ->
                h.createQuery("SELECT COUNT(*) FROM pending_requests").mapTo(Integer.class).one());
        assertThat(left).isZero();
    }

    @Test
    void aStartThatDiesBeforeEmptyingTheJournalDoesNotRecoverItsIntentsTwice() throws Exception {
        await(store.savePendingRequest(pending("r1", 120)));
        await(store.savePendingRequest(pending("r2", 80)));
        store.close();
        Map<Path, byte[]> journal = new HashMap<>();
        for (Path segment : IntentJournal.segmentsOf(file)) {
            journal.put(segment, Files.readAllBytes(segment));
        }
        store = SqliteStore.open(file, CLOCK);
        assertThat(store.interruptedAtOpen()).isEqualTo(2);
        SessionTotals totals = store.findSession("s1").orElseThrow().totals();
        store.close();
        // as if that start had committed the interrupted records and died before the journal was emptied
        for (Map.Entry<Path, byte[]> segment : journal.entrySet()) {
            Files.write(segment.getKey(), segment.getValue());
        }

        store = SqliteStore.open(file, CLOCK);

        assertThat(store.interruptedAtOpen()).isZero();
        assertThat(store.listRequests("s1", 10, 0).total()).isEqualTo(2);
        assertThat(store.findSession("s1").orElseThrow().totals()).isEqualTo(totals);
    }

    @Test
    void aTornJournalTailDoesNotStopTheStoreFromOpening() throws Exception {
        await(store.savePendingRequest(pending("r1", 120)));
        store.close();
        Path active = IntentJournal.segmentsOf(file)[0];
        byte[] torn = IntentLine.encode(pending("r2", 80));
        Files.write(active, Arrays.copyOf(torn, torn.length - 3), StandardOpenOption.APPEND);

        store = SqliteStore.open(file, CLOCK);

        assertThat(store.interruptedAtOpen()).isEqualTo(1);
        assertThat(store.listRequests("s1", 10, 0).items()).extracting(RequestRecord::requestId)
                .containsExactly("r1");
    }

    @Test
    void aPendingRequestIsRefusedOnceTheStoreIsClosed() {
        store.close();

        assertThat(failure(store.savePendingRequest(pending("r1", 120)))).isInstanceOf(StoreException.class)
                .hasMessageContaining("closed");
    }

    private static PendingRequest pending(String id, int promptEstimate) {
        return new PendingRequest(id, "s1", T0, "moonshot", "kimi-k2", "kimi-k2-0905", true, promptEstimate, "proxy");
    }

    private static RequestRecord finished(String id) {
        return new RequestRecord(id, "s1", T0, "moonshot", "kimi-k2", "kimi-k2-0905", true, RequestStatus.SUCCESS,
                200, null, null, new TokenUsage(120, 30, 0), new TokenUsage(118, 31, 0), 0.001, 40, 12, "proxy");
    }

    private static Event event(String id) {
        return new Event(id, "s1", T0, 0, null, "REQUEST_COMPLETED", "{}");
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(GUARD_SECONDS, TimeUnit.SECONDS);
    }

    private static Throwable failure(CompletableFuture<?> future) {
        try {
            future.get(GUARD_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError("expected the future to fail, got " + e, e);
        }
        throw new AssertionError("expected the future to fail, but it succeeded");
    }
}
