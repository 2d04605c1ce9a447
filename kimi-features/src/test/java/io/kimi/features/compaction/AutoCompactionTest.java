package io.kimi.features.compaction;

import static io.kimi.features.compaction.Chat.plus;
import static io.kimi.features.compaction.Chat.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.kimi.config.CompactionConfig;
import io.kimi.core.CompactionRecord;
import io.kimi.core.Session;
import io.kimi.core.Threads;
import io.kimi.core.store.sqlite.SqliteStore;
import io.kimi.core.tokens.TokenCounter;
import io.kimi.core.tokens.TokenEncoding;
import io.kimi.features.FeatureToggles;
import io.kimi.features.TransformContext;
import io.kimi.features.compaction.AutoCompaction.Decision;
import io.kimi.features.compaction.AutoCompaction.Outcome;
import io.kimi.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class AutoCompactionTest {
    private static final Instant T0 = Instant.parse("2025-01-01T10:00:00Z");
    private static final TokenCounter COUNTER = new TokenCounter(50_000_000);
    private static final Duration COOLDOWN = Duration.ofMinutes(5);
    private static final int WINDOW = 10_000;

    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(T0);
    private final ExecutorService executor = Executors.newFixedThreadPool(2, Threads.daemon("auto-test"));
    private final FeatureToggles toggles = new FeatureToggles(Map.of("compaction", true));
    private SqliteStore store;
    private SessionCompactions compactions;
    private ArrayNode conversation;

    @BeforeEach
    void open() {
        store = SqliteStore.open(dir.resolve("kimi.db"), clock);
        store.saveSession(Session.newProxy("s1", "one", T0, "p", "m", WINDOW)).join();
        compactions = new SessionCompactions(store);
        conversation = Chat.conversation(6);
        send(conversation);
    }

    @AfterEach
    void close() {
        store.close();
        Threads.shutdown(executor, Duration.ofSeconds(5), "test executor", LoggerFactory.getLogger(getClass()));
    }

    private void send(ArrayNode messages) {
        compactions.apply(messages, new TransformContext("s1", "r", "m", TokenEncoding.CL100K_BASE, WINDOW,
                COUNTER, clock.instant()));
    }

    private AutoCompaction auto(CompactionConfig config, Summarizer summarizer) {
        CompactionService service = new CompactionService(compactions, summarizer, store, COUNTER, config,
                CompactionListener.NONE, executor, clock);
        return new AutoCompaction(service, config, toggles, executor, clock);
    }

    private static CompactionConfig config(boolean enabled, boolean auto, int maxConsecutive) {
        return new CompactionConfig(enabled, auto, 0.85, 2, 4, COOLDOWN, maxConsecutive, null,
                Duration.ofSeconds(5));
    }

    private static void settle(Decision decision) {
        try {
            decision.compaction().join();
        } catch (CompletionException e) {
            // an automatic run that finds nothing to compact still counts; the test asserts on decisions
            assertThat(e.getCause()).isInstanceOf(NothingToCompactException.class);
        }
    }

    @Test
    void compactsOnceTheThresholdIsReached() {
        AutoCompaction auto = auto(config(true, true, 3), new HeuristicSummarizer());

        Decision below = auto.onRequest("s1", 8_499, WINDOW);
        Decision at = auto.onRequest("s1", 8_500, WINDOW);

        assertThat(below.outcome()).isEqualTo(Outcome.BELOW_THRESHOLD);
        assertThat(below.compaction()).isNull();
        assertThat(below.reason()).contains("85.0 %");
        assertThat(at.started()).isTrue();
        CompactionRecord record = at.compaction().join();
        assertThat(record.automatic()).isTrue();
        assertThat(compactions.active("s1")).containsExactly(record);
    }

    @Test
    void waitsForTheCooldownSinceTheLastCompaction() {
        AutoCompaction auto = auto(config(true, true, 5), new HeuristicSummarizer());
        settle(auto.onRequest("s1", 9_000, WINDOW));

        clock.advance(COOLDOWN.minusSeconds(1));
        Decision early = auto.onRequest("s1", 9_000, WINDOW);
        clock.advance(Duration.ofSeconds(1));
        Decision due = auto.onRequest("s1", 9_000, WINDOW);

        assertThat(early.outcome()).isEqualTo(Outcome.COOLDOWN);
        assertThat(due.outcome()).isEqualTo(Outcome.STARTED);
        settle(due);
    }

    @Test
    void aManualCompactionAlsoStartsTheCooldown() {
        CompactionConfig config = config(true, true, 5);
        CompactionService service = new CompactionService(compactions, new HeuristicSummarizer(), store, COUNTER,
                config, CompactionListener.NONE, executor, clock);
        AutoCompaction auto = new AutoCompaction(service, config, toggles, executor, clock);
        service.execute("s1", false).join();
        clock.advance(Duration.ofMinutes(1));

        assertThat(auto.onRequest("s1", 9_000, WINDOW).outcome()).isEqualTo(Outcome.COOLDOWN);
    }

    @Test
    void stopsAfterTheCapOfConsecutiveRunsUntilTheSessionGoesBelowTheThreshold() {
        AutoCompaction auto = auto(config(true, true, 2), new HeuristicSummarizer());
        settle(auto.onRequest("s1", 9_000, WINDOW));
        clock.advance(COOLDOWN);
        settle(auto.onRequest("s1", 9_000, WINDOW));
        clock.advance(COOLDOWN);

        Decision capped = auto.onRequest("s1", 9_000, WINDOW);
        Decision below = auto.onRequest("s1", 1_000, WINDOW);
        send(plus(conversation, user("u7"), Chat.assistant("a7"), user("u8"), Chat.assistant("a8"),
                user("u9"), Chat.assistant("a9")));
        Decision again = auto.onRequest("s1", 9_000, WINDOW);

        assertThat(capped.outcome()).isEqualTo(Outcome.CAP_REACHED);
        assertThat(capped.reason()).contains("2 automatic compactions in a row");
        assertThat(below.outcome()).isEqualTo(Outcome.BELOW_THRESHOLD);
        assertThat(again.outcome()).isEqualTo(Outcome.STARTED);
        settle(again);
    }

    @Test
    void neverTwoAtOnceForASession() {
        CompletableFuture<Summary> gate = new CompletableFuture<>();
        AutoCompaction auto = auto(config(true, true, 5), (messages, request) -> gate);

        Decision first = auto.onRequest("s1", 9_000, WINDOW);
        clock.advance(COOLDOWN.multipliedBy(2));
        Decision second = auto.onRequest("s1", 9_000, WINDOW);
        gate.complete(new Summary("done", "model"));

        assertThat(first.started()).isTrue();
        assertThat(second.outcome()).isEqualTo(Outcome.RUNNING);
        assertThat(first.compaction().join().summary()).endsWith("\ndone");
    }

    @Test
    void doesNothingWhenOffOrForTheSummarisersOwnSession() {
        assertThat(auto(config(false, true, 3), new HeuristicSummarizer()).onRequest("s1", 9_900, WINDOW)
                .outcome()).isEqualTo(Outcome.DISABLED);
        assertThat(auto(config(true, false, 3), new HeuristicSummarizer()).onRequest("s1", 9_900, WINDOW)
                .outcome()).isEqualTo(Outcome.DISABLED);
        AutoCompaction auto = auto(config(true, true, 3), new HeuristicSummarizer());
        toggles.set("compaction", false);
        assertThat(auto.onRequest("s1", 9_900, WINDOW).outcome()).isEqualTo(Outcome.DISABLED);
        toggles.set("compaction", true);

        assertThat(auto.onRequest(ModelSummarizer.SESSION_ID, 9_900, WINDOW).outcome())
                .isEqualTo(Outcome.SUMMARIZER_SESSION);
        assertThat(auto.onRequest("s1", 9_900, 0).outcome()).isEqualTo(Outcome.NO_CONTEXT_WINDOW);
        assertThat(compactions.active("s1")).isEmpty();
    }

    @Test
    void aRunWithNothingToCompactStillCountsAndFailsCleanly() {
        AutoCompaction auto = auto(config(true, true, 1), new HeuristicSummarizer());
        send(Chat.conversation(1));

        Decision started = auto.onRequest("s1", 9_000, WINDOW);
        settle(started);
        clock.advance(COOLDOWN);

        assertThat(started.started()).isTrue();
        assertThat(started.compaction()).isCompletedExceptionally();
        assertThat(auto.onRequest("s1", 9_000, WINDOW).outcome()).isEqualTo(Outcome.CAP_REACHED);
    }
}
