package io.kimi.features.compaction;

import static io.kimi.features.compaction.Chat.assistant;
import static io.kimi.features.compaction.Chat.plus;
import static io.kimi.features.compaction.Chat.system;
import static io.kimi.features.compaction.Chat.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.config.CompactionConfig;
import io.kimi.core.CompactionRecord;
import io.kimi.core.Session;
import io.kimi.core.store.sqlite.SqliteStore;
import io.kimi.core.tokens.TokenCounter;
import io.kimi.core.tokens.TokenEncoding;
import io.kimi.features.TransformContext;
import io.kimi.features.Transformed;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionCompactionsTest {
    private static final Instant T0 = Instant.parse("2025-01-01T10:00:00Z");
    private static final TokenCounter COUNTER = new TokenCounter(50_000_000);
    private static final CompactionPlanner PLANNER = new CompactionPlanner(new CompactionConfig(true, true, 0.85,
            2, 4, Duration.ofMinutes(5), 3, null, Duration.ofSeconds(5)));

    @TempDir
    Path dir;
    private SqliteStore store;
    private SessionCompactions compactions;

    @BeforeEach
    void open() {
        store = SqliteStore.open(dir.resolve("kimi.db"), Clock.fixed(T0, ZoneOffset.UTC));
        store.saveSession(Session.newProxy("s1", "one", T0, "p", "m", 128_000)).join();
        store.saveSession(Session.newProxy("s2", "two", T0, "p", "m", 128_000)).join();
        compactions = new SessionCompactions(store);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static TransformContext context(String session) {
        return new TransformContext(session, "r", "m", TokenEncoding.O200K_BASE, 128_000, COUNTER, T0);
    }

    /** A compaction of the planned run of {@code messages}. */
    private static CompactionRecord compactionOf(String session, String id, ArrayNode messages) {
        CompactionPlan plan = PLANNER.plan(messages).orElseThrow();
        return new CompactionRecord(id, session, T0, plan.hashes(),
                SummaryMessage.content(id, plan.replaced().size(), 1234, "summary " + id), "heuristic", false,
                5000, 1000, null);
    }

    @Test
    void withoutCompactionsReturnsTheSameMessages() {
        ArrayNode messages = Chat.conversation(6);

        Transformed out = compactions.apply(messages, context("s1"));

        assertThat(out.messages()).isSameAs(messages);
        assertThat(out.changed()).isFalse();
        assertThat(compactions.conversation("s1").orElseThrow().messages()).isSameAs(messages);
    }

    @Test
    void replacesTheRunOnALaterRequestThatResendsTheHistory() {
        ArrayNode first = Chat.conversation(6);
        compactions.activate(compactionOf("s1", "cmp_a", first));
        ArrayNode next = plus(first, user("one more question"));
        String nextText = next.toString();

        Transformed out = compactions.apply(next, context("s1"));

        // kept: system, the last 2 exchanges (u5 a5, u6 a6 + new user) -> replaced: 4 exchanges = 8 messages
        assertThat(out.messages().size()).isEqualTo(next.size() - 8 + 1);
        assertThat(out.messages().get(0)).isEqualTo(next.get(0));
        JsonNode summary = out.messages().get(1);
        assertThat(summary.path("role").asText()).isEqualTo("system");
        assertThat(summary.path("content").asText())
                .startsWith("[kimi-compaction cmp_a] Summary of 8 earlier messages (1234 tokens)")
                .endsWith("summary cmp_a");
        assertThat(out.messages().get(2)).isEqualTo(next.get(9));
        assertThat(out.messages().get(out.messages().size() - 1)).isEqualTo(user("one more question"));
        assertThat(next.toString()).as("input unchanged").isEqualTo(nextText);

        assertThat(out.report().feature()).isEqualTo("compaction");
        assertThat(out.report().changed()).isEqualTo(8);
        int replacedTokens = 0;
        for (int i = 1; i <= 8; i++) {
            replacedTokens += COUNTER.countMessage(TokenEncoding.O200K_BASE, next.get(i));
        }
        assertThat(out.report().tokensBefore()).isEqualTo(replacedTokens);
        assertThat(out.report().tokensAfter())
                .isEqualTo(COUNTER.countMessage(TokenEncoding.O200K_BASE, summary));
        assertThat(out.report().savedTokens()).isPositive();
        assertThat(out.report().details().toString()).isEqualTo("{\"applied\":[\"cmp_a\"],\"not_found\":[]}");
        assertThat(compactions.conversation("s1").orElseThrow().messages()).isSameAs(out.messages());
    }

    @Test
    void leavesOtherSessionsAlone() {
        ArrayNode messages = Chat.conversation(6);
        compactions.activate(compactionOf("s1", "cmp_a", messages));

        Transformed out = compactions.apply(messages, context("s2"));

        assertThat(out.messages()).isSameAs(messages);
        assertThat(compactions.active("s2")).isEmpty();
    }

    @Test
    void changesNothingWhenTheClientEditedTheRun() {
        ArrayNode messages = Chat.conversation(6);
        compactions.activate(compactionOf("s1", "cmp_a", messages));
        ArrayNode edited = messages.deepCopy();
        ((ObjectNode) edited.get(3)).put("content", "I changed my mind");

        Transformed out = compactions.apply(edited, context("s1"));

        assertThat(out.messages()).isSameAs(edited);
        assertThat(out.changed()).isFalse();
        assertThat(compactions.active("s1")).extracting(CompactionRecord::compactionId).containsExactly("cmp_a");
    }

    @Test
    void findsTheRunWhereverItMovedAfterTheSystemBlock() {
        ArrayNode messages = Chat.conversation(6);
        compactions.activate(compactionOf("s1", "cmp_a", messages));
        ArrayNode moved = Chat.array(system("a new system rule"), messages.get(0), user("inserted"),
                assistant("ok"));
        for (int i = 1; i < messages.size(); i++) {
            moved.add(messages.get(i));
        }

        Transformed out = compactions.apply(moved, context("s1"));

        assertThat(out.report().changed()).isEqualTo(8);
        assertThat(out.messages().get(4).path("content").asText()).startsWith("[kimi-compaction cmp_a]");
    }

    @Test
    void looksForTheRunOnlyNearTheStartOfTheConversation() {
        ArrayNode messages = Chat.conversation(6);
        compactions.activate(compactionOf("s1", "cmp_a", messages));
        ArrayNode near = Chat.array(messages.get(0));
        ArrayNode far = Chat.array(messages.get(0));
        for (int i = 0; i < Replacement.MAX_RUN_OFFSET; i++) {
            near.add(user("filler " + i));
            far.add(user("filler " + i));
        }
        far.add(user("one more filler"));
        for (int i = 1; i < messages.size(); i++) {
            near.add(messages.get(i));
            far.add(messages.get(i));
        }

        assertThat(compactions.apply(near, context("s1")).report().changed()).isEqualTo(8);
        assertThat(compactions.apply(far, context("s1")).messages()).isSameAs(far);
    }

    @Test
    void stackedCompactionsApplyInOrder() {
        ArrayNode first = Chat.conversation(6);
        compactions.activate(compactionOf("s1", "cmp_a", first));
        ArrayNode longer = first.deepCopy();
        for (int i = 7; i <= 10; i++) {
            longer.add(user("question " + i));
            longer.add(assistant("answer " + i));
        }
        ArrayNode sentOnce = compactions.apply(longer, context("s1")).messages();
        // the second compaction is planned on what was sent: its run begins with the first summary
        CompactionRecord second = compactionOf("s1", "cmp_b", sentOnce);
        assertThat(second.messageHashes().get(0))
                .isEqualTo(ActiveCompaction.of(compactions.active("s1").get(0)).summaryHash());
        compactions.activate(second);

        Transformed out = compactions.apply(plus(longer, user("next")), context("s1"));

        // system, summary b, the last two exchanges and the new user message
        assertThat(out.messages()).hasSize(1 + 1 + 4 + 1);
        assertThat(out.messages().get(1).path("content").asText()).startsWith("[kimi-compaction cmp_b]");
        assertThat(out.report().changed()).isEqualTo(longer.size() - 1 - 4);
        assertThat(out.report().details().path("applied").toString()).isEqualTo("[\"cmp_a\",\"cmp_b\"]");
    }

    @Test
    void undoingSendsTheOriginalMessagesAgain() {
        ArrayNode messages = Chat.conversation(6);
        compactions.activate(compactionOf("s1", "cmp_a", messages));
        assertThat(compactions.apply(messages, context("s1")).changed()).isTrue();

        assertThat(compactions.deactivateNewest("s1")).map(CompactionRecord::compactionId).hasValue("cmp_a");

        assertThat(compactions.apply(messages, context("s1")).messages()).isSameAs(messages);
        assertThat(compactions.deactivateNewest("s1")).isEmpty();
    }

    @Test
    void theRememberedConversationFollowsCompactionsMadeSinceTheRequest() {
        ArrayNode messages = Chat.conversation(6);
        compactions.apply(messages, context("s1"));

        compactions.activate(compactionOf("s1", "cmp_a", messages));
        Conversation compacted = compactions.conversation("s1").orElseThrow();
        compactions.deactivateNewest("s1");
        Conversation restored = compactions.conversation("s1").orElseThrow();

        assertThat(compacted.messages()).hasSize(messages.size() - 8 + 1);
        assertThat(compacted.encoding()).isEqualTo(TokenEncoding.O200K_BASE);
        assertThat(restored.messages()).isEqualTo(messages);
        assertThat(compactions.conversation("s2")).isEmpty();
    }

    @Test
    void loadsTheCompactionsThatApplyFromTheStore() {
        ArrayNode messages = Chat.conversation(6);
        CompactionRecord kept = compactionOf("s1", "cmp_a", messages);
        store.saveCompaction(kept).join();
        store.saveCompaction(compactionOf("s2", "cmp_undone", messages).undone(T0.plusSeconds(5))).join();

        SessionCompactions restarted = new SessionCompactions(store);
        restarted.load();

        assertThat(restarted.active("s1")).containsExactly(kept);
        assertThat(restarted.active("s2")).isEmpty();
        assertThat(restarted.apply(messages, context("s1")).report().changed()).isEqualTo(8);
        assertThat(restarted.apply(messages, context("s2")).messages()).isSameAs(messages);
    }

    @Test
    void forgetsADeletedSession() {
        ArrayNode messages = Chat.conversation(6);
        compactions.apply(messages, context("s1"));
        compactions.activate(compactionOf("s1", "cmp_a", messages));

        compactions.forget("s1");

        assertThat(compactions.conversation("s1")).isEmpty();
        assertThat(compactions.active("s1")).isEmpty();
    }

    @Test
    void remembersWithinItsBound() {
        SessionCompactions tiny = new SessionCompactions(store, 0);

        tiny.apply(Chat.conversation(6), context("s1"));

        assertThat(tiny.conversation("s1")).isEmpty();
    }

    @Test
    void toleratesOddMessages() {
        ArrayNode messages = Chat.conversation(6);
        compactions.activate(compactionOf("s1", "cmp_a", messages));
        ArrayNode odd = messages.deepCopy();
        odd.add(JsonNodeFactory.instance.textNode("not a message"));

        Transformed out = compactions.apply(odd, context("s1"));

        assertThat(out.report().changed()).isEqualTo(8);
        assertThat(out.messages().get(out.messages().size() - 1).isTextual()).isTrue();
        assertThat(compactions.apply(Chat.array(), context("s1")).messages()).isEmpty();
    }
}
