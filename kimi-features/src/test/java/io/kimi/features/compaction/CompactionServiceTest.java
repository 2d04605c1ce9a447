package io.kimi.features.compaction;

import static io.kimi.features.compaction.Chat.plus;
import static io.kimi.features.compaction.Chat.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.kimi.config.CompactionConfig;
import io.kimi.core.CompactionRecord;
import io.kimi.core.KimiException;
import io.kimi.core.Session;
import io.kimi.core.Threads;
import io.kimi.core.store.sqlite.SqliteStore;
import io.kimi.core.tokens.TokenCounter;
import io.kimi.core.tokens.TokenEncoding;
import io.kimi.features.TransformContext;
import io.kimi.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class CompactionServiceTest {
    private static final Instant T0 = Instant.parse("2025-01-01T10:00:00Z");
    private static final TokenCounter COUNTER = new TokenCounter(50_000_000);
    private static final CompactionConfig CONFIG = new CompactionConfig(true, true, 0.85, 2, 4,
            Duration.ofMinutes(5), 3, null, Duration.ofSeconds(5));

    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(T0);
    private final ExecutorService executor = Executors.newFixedThreadPool(2, Threads.daemon("compaction-test"));
    private final List<String> heard = new CopyOnWriteArrayList<>();
    private final CompactionListener listener = new CompactionListener() {
        @Override
        public void applied(CompactionRecord record) {
            heard.add("applied " + record.compactionId());
        }

        @Override
        public void undone(CompactionRecord record) {
            heard.add("undone " + record.compactionId());
        }
    };
    private SqliteStore store;
    private SessionCompactions compactions;
    private CompactionService service;

    @BeforeEach
    void open() {
        store = SqliteStore.open(dir.resolve("kimi.db"), clock);
        store.saveSession(Session.newProxy("s1", "one", T0, "p", "m", 128_000)).join();
        compactions = new SessionCompactions(store);
        service = service(new HeuristicSummarizer(), listener);
    }

    @AfterEach
    void close() {
        store.close();
        Threads.shutdown(executor, Duration.ofSeconds(5), "test executor", LoggerFactory.getLogger(getClass()));
    }

    private CompactionService service(Summarizer summarizer, CompactionListener l) {
        return new CompactionService(compactions, summarizer, store, COUNTER, CONFIG, l, executor, clock);
    }

    private ArrayNode send(SessionCompactions transformer, String session, ArrayNode messages) {
        return transformer.apply(messages, new TransformContext(session, "r", "m", TokenEncoding.CL100K_BASE,
                128_000, COUNTER, clock.instant())).messages();
    }

    private static int tokens(ArrayNode messages) {
        int sum = 0;
        for (JsonNode m : messages) {
            sum += COUNTER.countMessage(TokenEncoding.CL100K_BASE, m);
        }
        return sum;
    }

    private static Throwable cause(CompletableFuture<?> future) {
        try {
            future.join();
        } catch (CompletionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected the future to fail");
    }

    @Test
    void previewCountsTokensBeforeAndAfterAndChangesNothing() {
        ArrayNode messages = Chat.conversation(6);
        send(compactions, "s1", messages);

        CompactionPreview preview = service.preview("s1").join();

        assertThat(preview.sessionId()).isEqualTo("s1");
        assertThat(preview.compactionId()).startsWith("cmp_").hasSize(4 + 32);
        assertThat(preview.messagesTotal()).isEqualTo(13);
        assertThat(preview.messagesReplaced()).isEqualTo(8);
        assertThat(preview.messagesKept()).isEqualTo(5);
        assertThat(preview.tokensBefore()).isEqualTo(tokens(messages));
        int replaced = 0;
        for (int i = 1; i <= 8; i++) {
            replaced += COUNTER.countMessage(TokenEncoding.CL100K_BASE, messages.get(i));
        }
        assertThat(preview.tokensAfter()).isEqualTo(preview.tokensBefore() - replaced
                + COUNTER.countMessage(TokenEncoding.CL100K_BASE, SummaryMessage.message(preview.summary())));
        assertThat(preview.savedTokens()).isPositive();
        assertThat(preview.summary()).startsWith("[kimi-compaction " + preview.compactionId() + "] Summary of 8")
                .contains("User requests (4):", "- question 1:", "- question 4:");
        assertThat(preview.method()).isEqualTo("heuristic");
        assertThat(service.active("s1")).isEmpty();
        assertThat(send(compactions, "s1", messages)).isSameAs(messages);
        assertThat(heard).isEmpty();
    }

    @Test
    void executeStoresTheCompactionAndLaterRequestsCarryTheSummary() {
        ArrayNode messages = Chat.conversation(6);
        send(compactions, "s1", messages);

        CompactionRecord record = service.execute("s1", false).join();

        assertThat(record.sessionId()).isEqualTo("s1");
        assertThat(record.createdAt()).isEqualTo(T0);
        assertThat(record.messageHashes()).hasSize(8);
        assertThat(record.automatic()).isFalse();
        assertThat(record.active()).isTrue();
        assertThat(record.tokensBefore()).isEqualTo(tokens(messages));
        assertThat(heard).containsExactly("applied " + record.compactionId());
        assertThat(service.history("s1")).containsExactly(record);
        assertThat(service.active("s1")).containsExactly(record);

        ArrayNode next = plus(messages, Chat.assistant("hm"), user("and now?"));
        ArrayNode sent = send(compactions, "s1", next);

        assertThat(sent).hasSize(next.size() - 8 + 1);
        assertThat(sent.get(1).path("content").asText()).isEqualTo(record.summary());
        assertThat(tokens(sent)).isLessThan(tokens(next));
        // tokens after is what the conversation it was computed on costs with the summary in place
        assertThat(record.tokensAfter()).isEqualTo(tokens(send(compactions, "s1", messages)));
    }

    @Test
    void executeAfterAPreviewAppliesExactlyWhatWasPreviewed() {
        ArrayNode messages = Chat.conversation(6);
        send(compactions, "s1", messages);
        CompactionPreview preview = service.preview("s1").join();
        // a reply within the last exchange: the run to replace stays the same
        send(compactions, "s1", plus(messages, Chat.assistant("one more thing")));

        CompactionRecord record = service.execute("s1", false).join();

        assertThat(record.compactionId()).isEqualTo(preview.compactionId());
        assertThat(record.summary()).isEqualTo(preview.summary());
    }

    @Test
    void aPreviewOfAnotherRunIsNotReused() {
        ArrayNode messages = Chat.conversation(6);
        send(compactions, "s1", messages);
        CompactionPreview preview = service.preview("s1").join();
        send(compactions, "s1", plus(messages, user("u7"), Chat.assistant("a7"), user("u8")));

        CompactionRecord record = service.execute("s1", false).join();

        assertThat(record.compactionId()).isNotEqualTo(preview.compactionId());
        assertThat(record.messageHashes()).hasSize(12); // the last two exchanges now begin at u7
    }

    @Test
    void compactingTwiceFoldsTheFirstSummaryIntoTheSecond() {
        ArrayNode messages = Chat.conversation(6);
        send(compactions, "s1", messages);
        CompactionRecord first = service.execute("s1", false).join();
        ArrayNode longer = messages.deepCopy();
        for (int i = 7; i <= 10; i++) {
            longer.add(user("question " + i + " " + "more detail please. ".repeat(20)));
            longer.add(Chat.assistant("answer " + i + " " + "here is more detail. ".repeat(20)));
        }
        int firstOnly = tokens(send(compactions, "s1", longer));
        clock.advance(Duration.ofMinutes(1));

        CompactionRecord second = service.execute("s1", false).join();
        ArrayNode sent = send(compactions, "s1", plus(longer, user("next")));

        assertThat(second.messageHashes()).hasSize(1 + 8); // the first summary and four more exchanges
        assertThat(second.summary()).contains("Earlier summary: User requests (4):");
        assertThat(sent).hasSize(1 + 1 + 4 + 1);
        assertThat(sent.get(1).path("content").asText()).isEqualTo(second.summary());
        assertThat(tokens(sent)).isLessThan(firstOnly);
        assertThat(service.history("s1")).containsExactly(second, first);
        assertThat(service.active("s1")).containsExactly(first, second);
    }

    @Test
    void undoSendsTheOriginalMessagesAgainAndIsStored() {
        ArrayNode messages = Chat.conversation(6);
        send(compactions, "s1", messages);
        CompactionRecord record = service.execute("s1", false).join();
        clock.advance(Duration.ofSeconds(30));

        CompactionRecord undone = service.undo("s1").join().orElseThrow();

        assertThat(undone.compactionId()).isEqualTo(record.compactionId());
        assertThat(undone.undoneAt()).isEqualTo(T0.plusSeconds(30));
        assertThat(heard).containsExactly("applied " + record.compactionId(), "undone " + record.compactionId());
        assertThat(service.history("s1")).containsExactly(undone);
        assertThat(service.active("s1")).isEmpty();
        ArrayNode next = plus(messages, user("again"));
        assertThat(send(compactions, "s1", next)).isSameAs(next);
        assertThat(service.undo("s1").join()).isEmpty();
    }

    @Test
    void undoTakesTheNewestCompactionFirst() {
        ArrayNode messages = Chat.conversation(6);
        send(compactions, "s1", messages);
        CompactionRecord first = service.execute("s1", false).join();
        ArrayNode longer = plus(messages, user("u7"), Chat.assistant("a7"), user("u8"), Chat.assistant("a8"),
                user("u9"), Chat.assistant("a9"));
        send(compactions, "s1", longer);
        CompactionRecord second = service.execute("s1", false).join();

        assertThat(service.undo("s1").join()).map(CompactionRecord::compactionId).hasValue(second.compactionId());

        ArrayNode sent = send(compactions, "s1", longer);
        assertThat(sent.get(1).path("content").asText()).isEqualTo(first.summary());
        assertThat(sent).hasSize(longer.size() - 8 + 1);
    }

    @Test
    void compactionsSurviveARestart() {
        ArrayNode messages = Chat.conversation(6);
        send(compactions, "s1", messages);
        CompactionRecord first = service.execute("s1", false).join();
        send(compactions, "s1", plus(messages, user("u7"), Chat.assistant("a7"), user("u8"), Chat.assistant("a8"),
                user("u9"), Chat.assistant("a9")));
        CompactionRecord second = service.execute("s1", true).join();
        ArrayNode next = plus(messages, user("u7"), Chat.assistant("a7"), user("u8"), Chat.assistant("a8"),
                user("u9"), Chat.assistant("a9"), user("u10"));
        ArrayNode before = send(compactions, "s1", next);
        store.close();

        store = SqliteStore.open(dir.resolve("kimi.db"), clock);
        SessionCompactions restarted = new SessionCompactions(store);
        restarted.load();

        assertThat(restarted.active("s1")).containsExactly(first, second);
        assertThat(send(restarted, "s1", next)).isEqualTo(before).hasSize(1 + 1 + 4 + 1);
    }

    @Test
    void saysWhyThereIsNothingToCompact() {
        assertThat(cause(service.execute("s1", false)))
                .isInstanceOf(NothingToCompactException.class)
                .hasMessageContaining("session s1: no conversation seen yet");

        send(compactions, "s1", Chat.conversation(1));

        assertThat(cause(service.preview("s1")))
                .isInstanceOf(NothingToCompactException.class)
                .isInstanceOf(KimiException.class)
                .hasMessageContaining("session s1: nothing to compact: the conversation has 2 messages")
                .hasMessageContaining("at least 4");

        send(compactions, "s1", Chat.conversation(2));

        assertThat(cause(service.execute("s1", false)))
                .isInstanceOf(NothingToCompactException.class)
                .hasMessageContaining("within the last 2 exchanges");
        assertThat(service.running("s1")).isFalse();
    }

    @Test
    void oneCompactionOfASessionAtATime() {
        CompletableFuture<Summary> gate = new CompletableFuture<>();
        CompactionService slow = service((messages, request) -> gate, listener);
        send(compactions, "s1", Chat.conversation(6));

        CompletableFuture<CompactionRecord> first = slow.execute("s1", false);

        assertThat(slow.running("s1")).isTrue();
        assertThat(cause(slow.execute("s1", true))).isInstanceOf(CompactionInProgressException.class);
        assertThat(cause(slow.undo("s1"))).isInstanceOf(CompactionInProgressException.class);
        gate.complete(new Summary("a model summary", "model"));
        CompactionRecord record = first.join();
        assertThat(record.method()).isEqualTo("model");
        assertThat(record.summary()).endsWith("\na model summary");
        assertThat(slow.running("s1")).isFalse();
        assertThat(slow.undo("s1").join()).isPresent();
    }

    @Test
    void aFailingListenerDoesNotUndoTheCompaction() {
        CompactionService loud = service(new HeuristicSummarizer(), new CompactionListener() {
            @Override
            public void applied(CompactionRecord record) {
                throw new IllegalStateException("listener broke");
            }

            @Override
            public void undone(CompactionRecord record) {
                throw new IllegalStateException("listener broke");
            }
        });
        send(compactions, "s1", Chat.conversation(6));

        CompactionRecord record = loud.execute("s1", false).join();

        assertThat(loud.active("s1")).containsExactly(record);
        assertThat(loud.undo("s1").join()).isPresent();
    }

    @Test
    void aCompactionThatCannotBeStoredDoesNotApply() {
        ArrayNode messages = Chat.conversation(6);
        send(compactions, "ghost", messages); // a session the store does not know

        assertThat(cause(service.execute("ghost", false))).hasMessageContaining("ghost");

        assertThat(service.active("ghost")).isEmpty();
        assertThat(send(compactions, "ghost", messages)).isSameAs(messages);
        assertThat(heard).isEmpty();
    }
}
