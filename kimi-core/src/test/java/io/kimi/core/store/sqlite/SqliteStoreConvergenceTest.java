package io.kimi.core.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kimi.core.ConvergenceTotals;
import io.kimi.core.Event;
import io.kimi.core.Findings;
import io.kimi.core.IterationStats;
import io.kimi.core.Session;
import io.kimi.core.SessionKind;
import io.kimi.core.SessionStatus;
import io.kimi.core.SessionTotals;
import io.kimi.core.StepStats;
import io.kimi.core.store.Aggregates;
import io.kimi.core.store.EventFold;
import io.kimi.core.store.Page;
import io.kimi.core.store.StoreException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The convergence aggregates of {@link SqliteStore}: session totals, iterations, steps and batched events. */
class SqliteStoreConvergenceTest {
    /** A guard against deadlocks, not a timing assertion. */
    private static final long GUARD_SECONDS = 120;
    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(T0, ZoneOffset.UTC);

    @TempDir
    Path dir;

    private Path file;
    private SqliteStore store;

    @BeforeEach
    void open() {
        file = dir.resolve("dashboard.db");
        store = SqliteStore.open(file, CLOCK);
    }

    @AfterEach
    void close() {
        store.close();
    }

    // ---- sessions ------------------------------------------------------------------------------------------

    @Test
    void convergenceTotalsRoundTripAndAreReplacedWhenTheSessionIsSavedAgain() throws Exception {
        Session session = convergence("c1");
        store.saveSession(session.withConvergence(new ConvergenceTotals(5, 3, 2, 40, 1)));
        await(store.flush());
        assertThat(store.findSession("c1")).map(Session::convergence).contains(new ConvergenceTotals(5, 3, 2, 40, 1));

        Session updated = session.withConvergence(new ConvergenceTotals(6, 4, 2, 41, 0))
                .withState(SessionStatus.CONVERGED, "CONVERGED", 3, T0.plusSeconds(90))
                .withTarget("https://example.com", "{\"max_iterations\":10}");
        await(store.saveSession(updated));

        Session read = store.findSession("c1").orElseThrow();
        assertThat(read).isEqualTo(updated);
        assertThat(read.status()).isEqualTo(SessionStatus.CONVERGED);
        assertThat(read.currentState()).isEqualTo("CONVERGED");
        assertThat(read.currentIteration()).isEqualTo(3);
        assertThat(read.endTime()).isEqualTo(T0.plusSeconds(90));
        assertThat(read.target()).isEqualTo("https://example.com");
        assertThat(read.configJson()).isEqualTo("{\"max_iterations\":10}");
        assertThat(read.convergence()).isEqualTo(new ConvergenceTotals(6, 4, 2, 41, 0));
    }

    @Test
    void proxySessionsCarryZeroConvergenceTotals() throws Exception {
        await(store.saveSession(Session.newProxy("p1", "name", T0, "moonshot", "kimi-k2", 131_072)));

        assertThat(store.findSession("p1")).map(Session::convergence).contains(ConvergenceTotals.ZERO);
        assertThatThrownBy(() -> convergence("c1").withConvergence(null))
                .isInstanceOf(NullPointerException.class).hasMessage("convergence");
    }

    // ---- iterations and steps ------------------------------------------------------------------------------

    @Test
    void iterationsRoundTripEveryFieldInIterationOrder() throws Exception {
        store.saveSession(convergence("c1"));
        store.saveSession(convergence("c2"));
        IterationStats third = new IterationStats("c1", 3, Findings.ZERO, 0, 0, null, null, T0.plusSeconds(300),
                null);
        IterationStats first = new IterationStats("c1", 1, new Findings(1, 2, 3, 4, 5), 6, 7, 8L, 9L,
                T0.plusNanos(123_456_789), T0.plusSeconds(100));
        IterationStats second = new IterationStats("c1", 2, new Findings(0, 0, 1, 0, 0), 1, 0, 0L, 0L,
                T0.plusSeconds(100), T0.plusSeconds(200));
        store.saveIteration(third);
        store.saveIteration(first);
        store.saveIteration(second);
        store.saveIteration(new IterationStats("c2", 1, Findings.ZERO, 0, 0, null, null, null, null));
        await(store.flush());

        assertThat(store.listIterations("c1")).containsExactly(first, second, third);
        assertThat(store.listIterations("c1").get(2).testsPassed()).isNull();
        assertThat(store.listIterations("c2")).hasSize(1);
        assertThat(store.listIterations("unknown")).isEmpty();
    }

    @Test
    void savingAnIterationAgainReplacesEveryField() throws Exception {
        store.saveSession(convergence("c1"));
        store.saveIteration(new IterationStats("c1", 1, new Findings(1, 1, 1, 1, 1), 5, 5, 5L, 5L, T0,
                T0.plusSeconds(1)));
        IterationStats replaced = new IterationStats("c1", 1, new Findings(0, 2, 0, 0, 0), 1, 0, null, 3L, T0, null);
        await(store.saveIteration(replaced));

        assertThat(store.listIterations("c1")).containsExactly(replaced);
    }

    @Test
    void stepsRoundTripByIterationThenStepNameAndSavingAgainReplaces() throws Exception {
        store.saveSession(convergence("c1"));
        store.saveStep(new StepStats("c1", 2, "diagnose", 95.5, "complete"));
        store.saveStep(new StepStats("c1", 1, "validate", null, "started"));
        store.saveStep(new StepStats("c1", 1, "diagnose", 120.0, "complete"));
        store.saveStep(new StepStats("c1", 1, "attack", 300.25, "failed"));
        StepStats validated = new StepStats("c1", 1, "validate", 180.0, "complete");
        store.saveStep(validated);
        await(store.flush());

        assertThat(store.listSteps("c1")).containsExactly(
                new StepStats("c1", 1, "attack", 300.25, "failed"),
                new StepStats("c1", 1, "diagnose", 120.0, "complete"),
                validated,
                new StepStats("c1", 2, "diagnose", 95.5, "complete"));
        assertThat(store.listSteps("unknown")).isEmpty();
    }

    @Test
    void iterationsAndStepsNeedAnExistingSession() {
        assertThat(failure(store.saveIteration(new IterationStats("missing", 1, Findings.ZERO, 0, 0, null, null,
                null, null)))).isInstanceOf(StoreException.class).hasMessageContaining("saveIteration missing");
        assertThat(failure(store.saveStep(new StepStats("missing", 1, "fix", 1.0, "complete"))))
                .isInstanceOf(StoreException.class).hasMessageContaining("saveStep missing");
    }

    @Test
    void deletingASessionDeletesItsIterationsAndSteps() throws Exception {
        store.saveSession(convergence("c1"));
        store.saveSession(convergence("c2"));
        for (String id : List.of("c1", "c2")) {
            store.saveIteration(new IterationStats(id, 1, new Findings(1, 0, 0, 0, 0), 0, 0, null, null, null,
                    null));
            store.saveStep(new StepStats(id, 1, "diagnose", 1.0, "complete"));
        }

        assertThat(await(store.deleteSession("c1"))).isTrue();

        assertThat(store.listIterations("c1")).isEmpty();
        assertThat(store.listSteps("c1")).isEmpty();
        int remaining = raw().withHandle(h -> h.createQuery("SELECT (SELECT COUNT(*) FROM convergence_iterations)"
                + " + (SELECT COUNT(*) FROM convergence_steps)").mapTo(Integer.class).one());
        assertThat(remaining).as("c2's iteration and step").isEqualTo(2);
        assertThat(store.listIterations("c2")).hasSize(1);
        assertThat(store.listSteps("c2")).hasSize(1);
    }

    @Test
    void recordsRejectNegativeIterationsAndMissingFields() {
        assertThatThrownBy(() -> new IterationStats("c1", -1, Findings.ZERO, 0, 0, null, null, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("iteration: -1");
        assertThatThrownBy(() -> new IterationStats("c1", 1, null, 0, 0, null, null, null, null))
                .isInstanceOf(NullPointerException.class).hasMessage("findings");
        assertThatThrownBy(() -> new StepStats("c1", 1, null, null, "started"))
                .isInstanceOf(NullPointerException.class).hasMessage("step");
        assertThat(new Findings(1, 2, 3, 4, 5).total()).isEqualTo(15);
    }

    // ---- appendEvents --------------------------------------------------------------------------------------

    @Test
    void appendEventsTellsWhichEventsAreNewAcrossAndWithinBatches() throws Exception {
        store.saveSession(convergence("c1"));
        await(store.appendEvent(event("c1", "e0", 0)));

        List<Boolean> first = await(store.appendEvents(List.of(
                event("c1", "e1", 1), event("c1", "e0", 2), event("c1", "e2", 3), event("c1", "e1", 4))));
        List<Boolean> second = await(store.appendEvents(List.of(event("c1", "e2", 5), event("c1", "e3", 6))));

        assertThat(first).containsExactly(true, false, true, false);
        assertThat(second).containsExactly(false, true);
        assertThat(await(store.appendEvents(List.of()))).isEmpty();
        Page<Event> events = store.listEvents("c1", 10, 0);
        // the first of each id is kept
        assertThat(events.items()).containsExactly(event("c1", "e0", 0), event("c1", "e1", 1), event("c1", "e2", 3),
                event("c1", "e3", 6));
        assertThat(events.total()).isEqualTo(4);
    }

    @Test
    void aBatchWithAnEventOfAnUnknownSessionStoresNoneOfItAndLeavesOtherWritesAlone() throws Exception {
        store.saveSession(convergence("c1"));
        CompletableFuture<List<Boolean>> bad = store.appendEvents(List.of(event("c1", "e1", 1),
                event("missing", "e2", 2), event("c1", "e3", 3)));
        CompletableFuture<List<Boolean>> good = store.appendEvents(List.of(event("c1", "e4", 4)));

        assertThat(failure(bad)).isInstanceOf(StoreException.class).hasMessageContaining("appendEvents 3 from e1");
        assertThat(await(good)).containsExactly(true);
        assertThat(store.listEvents("c1", 10, 0).items()).extracting(Event::eventId).containsExactly("e4");
        // nothing of the failed batch was stored, so sending it again (fixed) stores all of it
        assertThat(await(store.appendEvents(List.of(event("c1", "e1", 1), event("c1", "e3", 3)))))
                .containsExactly(true, true);
    }

    @Test
    void theFoldSeesOnlyNewEventsAndItsAggregatesAreCommittedWithThem() throws Exception {
        store.saveSession(convergence("c1"));
        await(store.appendEvent(event("c1", "e0", 0)));
        List<List<String>> seen = new ArrayList<>();
        EventFold fold = stored -> {
            seen.add(stored.stream().map(Event::eventId).toList());
            return new Aggregates(List.of(convergence("c1").withState(SessionStatus.RUNNING, "FIXING", 2, null)),
                    List.of(new IterationStats("c1", 2, new Findings(0, 1, 0, 0, 0), 0, 0, null, null, null, null)),
                    List.of(new StepStats("c1", 2, "fix", 1.5, "complete")));
        };

        List<Boolean> stored = await(store.appendEvents(List.of(event("c1", "e0", 0), event("c1", "e1", 1),
                event("c1", "e1", 1)), fold));

        assertThat(stored).containsExactly(false, true, false);
        assertThat(seen).containsExactly(List.of("e1"));
        assertThat(store.findSession("c1").orElseThrow().currentIteration()).isEqualTo(2);
        assertThat(store.listIterations("c1")).extracting(IterationStats::iteration).containsExactly(2);
        assertThat(store.listSteps("c1")).extracting(StepStats::step).containsExactly("fix");
    }

    @Test
    void whenTheFoldFailsNeitherTheEventsNorAnyAggregateIsStored() throws Exception {
        store.saveSession(convergence("c1"));
        CompletableFuture<List<Boolean>> failed = store.appendEvents(List.of(event("c1", "e1", 1)), stored -> {
            throw new IllegalStateException("fold broke");
        });
        // An aggregate whose session is missing fails in the same transaction as the events it came with.
        CompletableFuture<List<Boolean>> orphan = store.appendEvents(List.of(event("c1", "e2", 2)),
                stored -> new Aggregates(List.of(), List.of(), List.of(new StepStats("missing", 1, "fix", null,
                        "started"))));

        assertThat(failure(failed)).hasMessageContaining("fold broke");
        assertThat(failure(orphan)).isInstanceOf(StoreException.class);
        assertThat(store.listEvents("c1", 10, 0).items()).isEmpty();
        assertThat(store.listSteps("missing")).isEmpty();
        // the batch can be sent again
        assertThat(await(store.appendEvents(List.of(event("c1", "e1", 1), event("c1", "e2", 2)))))
                .containsExactly(true, true);
    }

    @Test
    void appendEventsRejectsNullEvents() {
        List<Event> withNull = new ArrayList<>();
        withNull.add(event("c1", "e1", 1));
        withNull.add(null);

        assertThatThrownBy(() -> store.appendEvents(withNull))
                .isInstanceOf(NullPointerException.class).hasMessage("events[1]");
    }

    // ---- a long session ------------------------------------------------------------------------------------

    @Test
    void aSessionWithOneHundredThousandEventsPagesAndAnswersItsMetricsFromItsAggregates() throws Exception {
        int total = 100_000;
        int batchSize = 1_000;
        int iterations = 50;
        store.saveSession(convergence("long").withState(SessionStatus.RUNNING, "VALIDATING", iterations, null));
        store.saveSession(convergence("other"));
        List<CompletableFuture<List<Boolean>>> appends = new ArrayList<>();
        for (int start = 0; start < total; start += batchSize) {
            List<Event> batch = new ArrayList<>(batchSize);
            for (int i = start; i < start + batchSize; i++) {
                batch.add(longEvent(i, iterations));
            }
            appends.add(store.appendEvents(batch));
        }
        // another session's events and a replayed batch: neither shows up in the long session's pages
        appends.add(store.appendEvents(List.of(event("other", "o1", 0))));
        List<Event> replay = new ArrayList<>();
        for (int i = 0; i < batchSize; i++) {
            replay.add(longEvent(i, iterations));
        }
        CompletableFuture<List<Boolean>> replayed = store.appendEvents(replay);
        for (int it = 1; it <= iterations; it++) {
            store.saveIteration(new IterationStats("long", it, new Findings(1, it, 0, 2, it % 3), it, 0, null, null,
                    T0.plusSeconds(it * 100L), T0.plusSeconds(it * 100L + 99)));
            store.saveStep(new StepStats("long", it, "diagnose", (double) it, "complete"));
        }
        for (CompletableFuture<List<Boolean>> append : appends) {
            assertThat(await(append)).doesNotContain(false);
        }
        assertThat(await(replayed)).hasSize(batchSize).containsOnly(false);

        Page<Event> first = store.listEvents("long", 100, 0);
        assertThat(first.total()).isEqualTo(total);
        assertThat(first.items()).extracting(Event::eventId).containsExactlyElementsOf(ids(0, 100));
        assertThat(first.items().get(0)).isEqualTo(longEvent(0, iterations));
        Page<Event> middle = store.listEvents("long", 1000, 50_000);
        assertThat(middle.total()).isEqualTo(total);
        assertThat(middle.items()).extracting(Event::eventId).containsExactlyElementsOf(ids(50_000, 51_000));
        assertThat(middle.items().get(999)).isEqualTo(longEvent(50_999, iterations));
        Page<Event> last = store.listEvents("long", 1000, total - 250);
        assertThat(last.items()).extracting(Event::eventId).containsExactlyElementsOf(ids(total - 250, total));
        assertThat(store.listEvents("long", 10, total).items()).isEmpty();

        List<IterationStats> its = store.listIterations("long");
        assertThat(its).hasSize(iterations);
        assertThat(its).extracting(IterationStats::iteration).isSorted().startsWith(1).endsWith(iterations);
        assertThat(its.get(9).findings()).isEqualTo(new Findings(1, 10, 0, 2, 1));
        long high = iterations * (iterations + 1L) / 2;
        long info = 0;
        for (int it = 1; it <= iterations; it++) {
            info += it % 3;
        }
        assertThat(store.countFindings()).isEqualTo(new Findings(iterations, high, 0, 2L * iterations, info));
        assertThat(store.listSteps("long")).hasSize(iterations);
    }

    // ---- indexes -------------------------------------------------------------------------------------------

    @Test
    void eventPagesIterationsAndStepsAreReadThroughIndexesWithoutSorting() {
        assertThat(plan("SELECT event_id FROM events WHERE session_id = 'x'"
                + " ORDER BY timestamp ASC, seq ASC LIMIT 100 OFFSET 50000"))
                .contains("idx_events_session_time").doesNotContain("TEMP B-TREE");
        assertThat(plan("SELECT COUNT(*) FROM events WHERE session_id = 'x'")).contains("idx_events_session_time");
        assertThat(plan("SELECT * FROM convergence_iterations WHERE session_id = 'x' ORDER BY iteration"))
                .contains("SEARCH convergence_iterations USING PRIMARY KEY (session_id=?)")
                .doesNotContain("TEMP B-TREE");
        assertThat(plan("SELECT * FROM convergence_steps WHERE session_id = 'x' ORDER BY iteration, step"))
                .contains("SEARCH convergence_steps USING PRIMARY KEY (session_id=?)")
                .doesNotContain("TEMP B-TREE");
    }

    // ---- migration -----------------------------------------------------------------------------------------

    @Test
    void aVersionTwoDatabaseWithSessionsGetsTheAggregatesWithZeroTotals() throws Exception {
        store.close();
        Path old = dir.resolve("v2.db");
        Jdbi.create("jdbc:sqlite:" + old).useHandle(h -> {
            new Migrations(Migrations.ALL.subList(0, 2), CLOCK).migrate(h, old.toString());
            h.execute("INSERT INTO sessions (session_id, kind, target, status, start_time, current_iteration)"
                    + " VALUES ('old-conv', 'convergence', 'repo', 'converged', ?, 4)", SqliteTime.format(T0));
            h.execute("INSERT INTO sessions (session_id, kind, name, status, start_time, provider, model,"
                    + " context_window, requests) VALUES ('old-proxy', 'proxy', 'n', 'running', ?, 'moonshot',"
                    + " 'kimi-k2', 1000, 3)", SqliteTime.format(T0));
            h.execute("INSERT INTO events (event_id, session_id, timestamp, iteration, event_type)"
                    + " VALUES ('old-e1', 'old-conv', ?, 1, 'STEP_COMPLETE')", SqliteTime.format(T0));
        });

        store = SqliteStore.open(old, CLOCK);

        assertThat(raw(old).withHandle(Migrations::currentVersion)).isEqualTo(Migrations.ALL.size());
        Session conv = store.findSession("old-conv").orElseThrow();
        assertThat(conv.convergence()).isEqualTo(ConvergenceTotals.ZERO);
        assertThat(conv.currentIteration()).isEqualTo(4);
        assertThat(store.findSession("old-proxy").orElseThrow().convergence()).isEqualTo(ConvergenceTotals.ZERO);
        assertThat(store.findSession("old-proxy").orElseThrow().totals().requests()).isEqualTo(3);
        assertThat(store.listIterations("old-conv")).isEmpty();
        assertThat(store.listEvents("old-conv", 10, 0).total()).isEqualTo(1);
        await(store.saveIteration(new IterationStats("old-conv", 1, new Findings(1, 0, 0, 0, 0), 0, 0, null, null,
                null, null)));
        await(store.saveSession(conv.withConvergence(new ConvergenceTotals(1, 0, 0, 0, 0))));
        assertThat(store.findSession("old-conv").orElseThrow().convergence().totalFindings()).isEqualTo(1);
        assertThat(store.countFindings()).isEqualTo(new Findings(1, 0, 0, 0, 0));
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private String plan(String sql) {
        List<String> details = store.readers().withHandle(h -> h.createQuery("EXPLAIN QUERY PLAN " + sql)
                .map((rs, ctx) -> rs.getString("detail")).list());
        return String.join("\n", details);
    }

    private Jdbi raw() {
        return raw(file);
    }

    private static Jdbi raw(Path db) {
        return Jdbi.create("jdbc:sqlite:" + db);
    }

    private static Session convergence(String id) {
        return new Session(id, SessionKind.CONVERGENCE, null, "target " + id, SessionStatus.RUNNING, T0, null,
                "IDLE", 0, "{}", null, null, 0, SessionTotals.ZERO, false, ConvergenceTotals.ZERO);
    }

    private static Event event(String sessionId, String eventId, int second) {
        return new Event(eventId, sessionId, T0.plusSeconds(second), 1, "DIAGNOSING", "STEP_COMPLETE",
                "{\"n\":" + second + "}");
    }

    /**
     * Event {@code i} of the long session: ids sort as numbers, and every ten share a timestamp, so the page
     * order also depends on the insertion-order tie-break.
     */
    private static Event longEvent(int i, int iterations) {
        return new Event(longId(i), "long", T0.plusMillis(i / 10), 1 + i * iterations / 100_000, "DIAGNOSING",
                i % 2 == 0 ? "STEP_STARTED" : "STEP_COMPLETE", "{\"i\":" + i + "}");
    }

    private static String longId(int i) {
        return String.format("ev-%06d", i);
    }

    private static List<String> ids(int from, int to) {
        List<String> ids = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            ids.add(longId(i));
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
}
