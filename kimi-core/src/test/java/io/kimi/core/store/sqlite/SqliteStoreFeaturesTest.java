package io.kimi.core.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.kimi.core.CompactionRecord;
import io.kimi.core.MaskedContent;
import io.kimi.core.MemoryUsage;
import io.kimi.core.Session;
import io.kimi.core.store.MaskStats;
import io.kimi.core.store.MemoryStats;
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

/** What {@link SqliteStore} keeps for the context features: masks, compactions and MCP memory figures. */
class SqliteStoreFeaturesTest {
    /** A guard against deadlocks, not a timing assertion. */
    private static final long GUARD_SECONDS = 60;
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
        store.saveSession(proxySession("s1"));
        store.saveSession(proxySession("s2"));
        await(store.flush());
    }

    @AfterEach
    void close() {
        store.close();
    }

    // ---- masks ---------------------------------------------------------------------------------------------

    @Test
    void maskRoundTripKeepsEveryField() throws Exception {
        MaskedContent tool = new MaskedContent("a1b2", "s1", "r1", "tool", "read_file", 1500, 40,
                "line 1\nline 2 \u00e9\u4e2d\n", T0.plusNanos(123_456_789));
        MaskedContent user = new MaskedContent("c3d4", "s2", "r2", "user", null, 900, 30, "pasted log", T0);
        await(store.saveMask(tool));
        await(store.saveMask(user));

        assertThat(store.findMask("a1b2")).contains(tool);
        assertThat(store.findMask("c3d4")).contains(user);
        assertThat(store.findMask("nope")).isEmpty();
    }

    @Test
    void savingAMaskWhoseHashIsStoredKeepsTheFirst() throws Exception {
        MaskedContent first = mask("h1", "s1", "r1", T0, 1000, 50);
        await(store.saveMask(first));
        await(store.saveMask(
                new MaskedContent("h1", "s2", "r9", "user", "other", 7, 1, "different", T0.plusSeconds(5))));

        assertThat(store.findMask("h1")).contains(first);
        assertThat(store.maskStats()).isEqualTo(new MaskStats(1, 1000, 50));
    }

    @Test
    void listMasksPagesNewestFirstWithTiesInReverseInsertionOrder() throws Exception {
        store.saveMask(mask("m-old", "s1", "r1", T0, 100, 10));
        store.saveMask(mask("m-new", "s2", "r2", T0.plusSeconds(20), 100, 10));
        store.saveMask(mask("m-tie-a", "s1", "r3", T0.plusSeconds(10), 100, 10));
        store.saveMask(mask("m-tie-b", "s1", "r4", T0.plusSeconds(10), 100, 10));
        await(store.flush());

        Page<MaskedContent> first = store.listMasks(2, 0);
        Page<MaskedContent> second = store.listMasks(2, 2);
        Page<MaskedContent> beyond = store.listMasks(2, 4);

        assertThat(hashes(first.items())).containsExactly("m-new", "m-tie-b");
        assertThat(hashes(second.items())).containsExactly("m-tie-a", "m-old");
        assertThat(beyond.items()).isEmpty();
        assertThat(List.of(first.total(), second.total(), beyond.total())).containsOnly(4L);
        assertThat(first.limit()).isEqualTo(2);
        assertThat(second.offset()).isEqualTo(2);
    }

    @Test
    void maskStatsSumTokensOverEveryMaskAndAreEmptyWithoutMasks() throws Exception {
        assertThat(store.maskStats()).isEqualTo(MaskStats.EMPTY);

        store.saveMask(mask("a", "s1", "r1", T0, 1000, 40));
        store.saveMask(mask("b", "s2", "r2", T0, 2500, 60));
        store.saveMask(mask("c", "s1", "r3", T0, 300, 0));
        await(store.flush());

        MaskStats stats = store.maskStats();
        assertThat(stats).isEqualTo(new MaskStats(3, 3800, 100));
        assertThat(stats.savedTokens()).isEqualTo(3700);
    }

    @Test
    void aMaskOfAnUnknownSessionFailsItsFuture() {
        Throwable failure = failure(store.saveMask(mask("h", "no-such-session", "r1", T0, 10, 1)));

        assertThat(failure).isInstanceOf(StoreException.class).hasMessageContaining("saveMask h");
        assertThat(store.findMask("h")).isEmpty();
    }

    @Test
    void maskArgumentsAreValidated() {
        assertThatThrownBy(() -> store.listMasks(0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limit: 0");
        assertThatThrownBy(() -> store.listMasks(10, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("offset: -1");
        assertThatThrownBy(() -> store.saveMask(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("mask");
        assertThatThrownBy(() -> store.findMask(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("hash");
    }

    // ---- compactions ---------------------------------------------------------------------------------------

    @Test
    void compactionRoundTripKeepsEveryFieldAndTheOrderOfItsHashes() throws Exception {
        CompactionRecord automatic = new CompactionRecord("c1", "s1", T0.plusNanos(5), List.of("ff", "0a", "7c"),
                "Summary: \"quoted\", \u00e9t\u00e9\nline two", "model", true, 90_000, 12_000, null);
        CompactionRecord manual = new CompactionRecord("c2", "s1", T0.plusSeconds(1), List.of("01"), "short",
                "heuristic", false, 500, 100, T0.plusSeconds(2));
        store.saveCompaction(automatic);
        store.saveCompaction(manual);
        await(store.flush());

        assertThat(store.listCompactions("s1")).containsExactly(manual, automatic);
        assertThat(store.listCompactions("s2")).isEmpty();
        assertThat(store.listCompactions("unknown")).isEmpty();
    }

    @Test
    void undoingACompactionKeepsItInTheSessionListButNotAmongTheActiveOnes() throws Exception {
        CompactionRecord kept = compaction("keep", "s1", T0);
        CompactionRecord undone = compaction("undo", "s1", T0.plusSeconds(1));
        store.saveCompaction(kept);
        store.saveCompaction(undone);
        await(store.flush());
        assertThat(ids(store.listActiveCompactions())).containsExactly("keep", "undo");

        await(store.saveCompaction(undone.undone(T0.plusSeconds(30))));

        assertThat(store.listActiveCompactions()).containsExactly(kept);
        assertThat(store.listCompactions("s1")).containsExactly(undone.undone(T0.plusSeconds(30)), kept);
        assertThat(store.listCompactions("s1").get(0).active()).isFalse();
    }

    @Test
    void savingACompactionAgainReplacesEveryField() throws Exception {
        await(store.saveCompaction(compaction("c", "s1", T0)));
        CompactionRecord replaced = new CompactionRecord("c", "s2", T0.plusSeconds(9), List.of("aa", "bb"),
                "new summary", "heuristic", false, 7, 3, null);

        await(store.saveCompaction(replaced));

        assertThat(store.listCompactions("s1")).isEmpty();
        assertThat(store.listCompactions("s2")).containsExactly(replaced);
        assertThat(store.listActiveCompactions()).containsExactly(replaced);
    }

    @Test
    void listCompactionsIsNewestFirstAndListActiveCompactionsOldestFirstAcrossSessions() throws Exception {
        store.saveCompaction(compaction("s1-mid", "s1", T0.plusSeconds(10)));
        store.saveCompaction(compaction("s2-first", "s2", T0));
        store.saveCompaction(compaction("s1-last", "s1", T0.plusSeconds(20)));
        store.saveCompaction(compaction("s1-first", "s1", T0.plusSeconds(5)));
        store.saveCompaction(compaction("s1-tie", "s1", T0.plusSeconds(10)));
        await(store.flush());

        assertThat(ids(store.listCompactions("s1"))).containsExactly("s1-last", "s1-tie", "s1-mid", "s1-first");
        assertThat(ids(store.listActiveCompactions()))
                .containsExactly("s2-first", "s1-first", "s1-mid", "s1-tie", "s1-last");
    }

    @Test
    void aCompactionOfAnUnknownSessionFailsItsFuture() {
        Throwable failure = failure(store.saveCompaction(compaction("c", "no-such-session", T0)));

        assertThat(failure).isInstanceOf(StoreException.class).hasMessageContaining("saveCompaction c");
        assertThat(store.listActiveCompactions()).isEmpty();
    }

    @Test
    void messageHashesAreStoredAsAJsonArray() throws Exception {
        await(store.saveCompaction(new CompactionRecord("c", "s1", T0, List.of("ab12", "cd34"), "s", "model", true,
                10, 5, null)));

        String stored = store.readers().withHandle(h -> h.createQuery(
                        "SELECT message_hashes FROM compactions WHERE compaction_id = 'c'")
                .mapTo(String.class).one());
        assertThat(stored).isEqualTo("[\"ab12\",\"cd34\"]");
    }

    // ---- memory usage --------------------------------------------------------------------------------------

    @Test
    void memoryStatsSumOneSessionOrEveryRequestAndCountRequestsWithMarkers() throws Exception {
        store.saveMemoryUsage(new MemoryUsage("r1", "s1", T0, 300, 700, 2));
        store.saveMemoryUsage(new MemoryUsage("r2", "s1", T0.plusSeconds(1), 0, 500, 0));
        store.saveMemoryUsage(new MemoryUsage("r3", "s1", T0.plusSeconds(2), 100, 100, 1));
        store.saveMemoryUsage(new MemoryUsage("r4", "s2", T0.plusSeconds(3), 50, 950, 3));
        await(store.flush());

        assertThat(store.memoryStats("s1")).isEqualTo(new MemoryStats(3, 2, 400, 1300, 3));
        assertThat(store.memoryStats("s2")).isEqualTo(new MemoryStats(1, 1, 50, 950, 3));
        assertThat(store.memoryStats(null)).isEqualTo(new MemoryStats(4, 3, 450, 2250, 6));
        assertThat(store.memoryStats(null).memoryRatio()).isCloseTo(450.0 / 2700, within(1e-12));
    }

    @Test
    void memoryStatsAreEmptyWithoutRows() {
        assertThat(store.memoryStats(null)).isEqualTo(MemoryStats.EMPTY);
        assertThat(store.memoryStats("s1")).isEqualTo(MemoryStats.EMPTY);
        assertThat(store.memoryStats("unknown")).isEqualTo(MemoryStats.EMPTY);
    }

    @Test
    void onlyRequestsWithMemoryMarkersKeepARowOfTheirOwnAndEveryRequestCountsInTheSums() throws Exception {
        store.saveMemoryUsage(new MemoryUsage("r1", "s1", T0, 0, 700, 0));
        store.saveMemoryUsage(new MemoryUsage("r2", "s1", T0, 30, 470, 2));
        await(store.saveMemoryUsage(new MemoryUsage("r3", "s1", T0, 0, 100, 0)));

        List<String> rows = store.readers().withHandle(h -> h.createQuery(
                "SELECT request_id FROM memory_usage ORDER BY request_id").mapTo(String.class).list());
        assertThat(rows).containsExactly("r2");
        assertThat(store.memoryStats("s1")).isEqualTo(new MemoryStats(3, 1, 30, 1270, 2));
    }

    @Test
    void memoryUsageOfAnUnknownSessionFailsItsFuture() {
        Throwable failure = failure(store.saveMemoryUsage(new MemoryUsage("r1", "nope", T0, 1, 1, 1)));

        assertThat(failure).isInstanceOf(StoreException.class).hasMessageContaining("saveMemoryUsage r1");
        assertThat(store.memoryStats(null)).isEqualTo(MemoryStats.EMPTY);
    }

    // ---- sessions, schema ----------------------------------------------------------------------------------

    @Test
    void deletingASessionDeletesItsMasksCompactionsAndMemoryUsageOnly() throws Exception {
        store.saveMask(mask("m1", "s1", "r1", T0, 100, 10));
        store.saveMask(mask("m2", "s2", "r2", T0, 200, 20));
        store.saveCompaction(compaction("c1", "s1", T0));
        store.saveCompaction(compaction("c2", "s2", T0));
        store.saveMemoryUsage(new MemoryUsage("r1", "s1", T0, 10, 90, 1));
        store.saveMemoryUsage(new MemoryUsage("r2", "s2", T0, 20, 80, 1));
        await(store.flush());

        assertThat(await(store.deleteSession("s1"))).isTrue();

        assertThat(store.findMask("m1")).isEmpty();
        assertThat(store.findMask("m2")).isPresent();
        assertThat(store.maskStats()).isEqualTo(new MaskStats(1, 200, 20));
        assertThat(store.listCompactions("s1")).isEmpty();
        assertThat(ids(store.listActiveCompactions())).containsExactly("c2");
        assertThat(store.memoryStats("s1")).isEqualTo(MemoryStats.EMPTY);
        assertThat(store.memoryStats(null)).isEqualTo(new MemoryStats(1, 1, 20, 80, 1));
    }

    @Test
    void featureDataSurvivesAReopenAndTheMigrationRunsOnce() throws Exception {
        MaskedContent mask = mask("m1", "s1", "r1", T0, 100, 10);
        CompactionRecord compaction = compaction("c1", "s1", T0);
        store.saveMask(mask);
        store.saveCompaction(compaction);
        store.saveMemoryUsage(new MemoryUsage("r1", "s1", T0, 10, 90, 1));
        await(store.flush());
        store.close();

        store = SqliteStore.open(file, Clock.fixed(T0.plusSeconds(60), ZoneOffset.UTC));
        store.close();
        store = SqliteStore.open(file, Clock.fixed(T0.plusSeconds(120), ZoneOffset.UTC));

        assertThat(store.findMask("m1")).contains(mask);
        assertThat(store.listActiveCompactions()).containsExactly(compaction);
        assertThat(store.memoryStats("s1")).isEqualTo(new MemoryStats(1, 1, 10, 90, 1));
        List<String> versions = store.readers().withHandle(h -> h.createQuery(
                        "SELECT version || ' ' || applied_at FROM schema_version ORDER BY version")
                .mapTo(String.class).list());
        assertThat(versions).hasSize(Migrations.ALL.size()).contains("4 " + SqliteTime.format(T0));
    }

    @Test
    void aVersionThreeDatabaseGetsTheFeatureTablesAndKeepsItsSessions() throws Exception {
        store.close();
        Path old = dir.resolve("v3.db");
        Jdbi.create("jdbc:sqlite:" + old).useHandle(h -> {
            new Migrations(Migrations.ALL.subList(0, 3), CLOCK).migrate(h, old.toString());
            h.execute("INSERT INTO sessions (session_id, kind, name, status, start_time, provider, model,"
                    + " context_window) VALUES ('old', 'proxy', 'n', 'running', ?, 'moonshot', 'kimi-k2', 1000)",
                    SqliteTime.format(T0));
        });

        store = SqliteStore.open(old, CLOCK);
        await(store.saveMask(mask("m", "old", "r", T0, 5, 1)));

        assertThat(store.findSession("old")).isPresent();
        assertThat(store.findMask("m")).isPresent();
        assertThat(store.readers().withHandle(Migrations::currentVersion)).isEqualTo(Migrations.ALL.size());
    }

    @Test
    void aVersionSixDatabaseKeepsItsMemorySumsAndOnlyTheRowsWithMarkers() throws Exception {
        store.close();
        Path old = dir.resolve("v6.db");
        Jdbi.create("jdbc:sqlite:" + old).useHandle(h -> {
            new Migrations(Migrations.ALL.subList(0, 6), CLOCK).migrate(h, old.toString());
            for (String id : List.of("a", "b")) {
                h.execute("INSERT INTO sessions (session_id, kind, name, status, start_time, provider, model,"
                        + " context_window) VALUES (?, 'proxy', 'n', 'running', ?, 'moonshot', 'kimi-k2', 1000)",
                        id, SqliteTime.format(T0));
            }
            String row = "INSERT INTO memory_usage (request_id, session_id, timestamp, memory_tokens, chat_tokens,"
                    + " markers) VALUES (?, ?, ?, ?, ?, ?)";
            h.execute(row, "r1", "a", SqliteTime.format(T0), 300, 700, 2);
            h.execute(row, "r2", "a", SqliteTime.format(T0), 0, 500, 0);
            h.execute(row, "r3", "b", SqliteTime.format(T0), 0, 900, 0);
        });

        store = SqliteStore.open(old, CLOCK);

        assertThat(store.memoryStats("a")).isEqualTo(new MemoryStats(2, 1, 300, 1200, 2));
        assertThat(store.memoryStats("b")).isEqualTo(new MemoryStats(1, 0, 0, 900, 0));
        assertThat(store.memoryStats(null)).isEqualTo(new MemoryStats(3, 1, 300, 2100, 2));
        List<String> rows = store.readers().withHandle(h -> h.createQuery("SELECT request_id FROM memory_usage")
                .mapTo(String.class).list());
        assertThat(rows).containsExactly("r1");
        await(store.saveMemoryUsage(new MemoryUsage("r4", "b", T0, 0, 100, 0)));
        assertThat(store.memoryStats("b")).isEqualTo(new MemoryStats(2, 0, 0, 1000, 0));
    }

    @Test
    void featureQueriesUseTheirIndexes() {
        assertThat(plan("SELECT hash FROM masks ORDER BY created_at DESC, rowid DESC LIMIT 10"))
                .contains("idx_masks_created").doesNotContain("TEMP B-TREE");
        assertThat(plan("SELECT hash FROM masks WHERE session_id = 's'")).contains("idx_masks_session");
        assertThat(plan("SELECT compaction_id FROM compactions WHERE session_id = 's'"
                + " ORDER BY created_at DESC, rowid DESC")).contains("idx_compactions_session_created")
                .doesNotContain("TEMP B-TREE");
        assertThat(plan("SELECT compaction_id FROM compactions WHERE undone_at IS NULL"
                + " ORDER BY created_at ASC, rowid ASC")).contains("idx_compactions_active_created")
                .doesNotContain("TEMP B-TREE");
        assertThat(plan("SELECT SUM(markers) FROM memory_usage WHERE session_id = 's'"))
                .contains("idx_memory_usage_session");
    }

    @Test
    void featureReadsAndWritesAfterCloseFail() {
        store.close();

        assertThat(failure(store.saveMask(mask("m", "s1", "r", T0, 1, 1)))).isInstanceOf(StoreException.class);
        assertThatThrownBy(store::maskStats).isInstanceOf(StoreException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> store.memoryStats(null)).isInstanceOf(StoreException.class);
        assertThatThrownBy(store::listActiveCompactions).isInstanceOf(StoreException.class);
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private String plan(String sql) {
        List<String> details = store.readers().withHandle(h -> h.createQuery("EXPLAIN QUERY PLAN " + sql)
                .map((rs, ctx) -> rs.getString("detail")).list());
        return String.join("\n", details);
    }

    private static Session proxySession(String id) {
        return Session.newProxy(id, "name " + id, T0, "moonshot", "kimi-k2", 131_072);
    }

    private static MaskedContent mask(String hash, String sessionId, String requestId, Instant at, int original,
            int placeholder) {
        return new MaskedContent(hash, sessionId, requestId, "tool", "shell", original, placeholder,
                "content of " + hash, at);
    }

    private static CompactionRecord compaction(String id, String sessionId, Instant at) {
        return new CompactionRecord(id, sessionId, at, List.of(id + "-h1", id + "-h2"), "summary of " + id,
                "heuristic", true, 1000, 200, null);
    }

    private static List<String> hashes(List<MaskedContent> masks) {
        List<String> hashes = new ArrayList<>();
        masks.forEach(m -> hashes.add(m.hash()));
        return hashes;
    }

    private static List<String> ids(List<CompactionRecord> compactions) {
        List<String> ids = new ArrayList<>();
        compactions.forEach(c -> ids.add(c.compactionId()));
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
