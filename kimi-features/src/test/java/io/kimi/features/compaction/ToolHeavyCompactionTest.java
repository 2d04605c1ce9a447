package io.kimi.features.compaction;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.kimi.config.CompactionConfig;
import io.kimi.core.CompactionRecord;
import io.kimi.core.Session;
import io.kimi.core.Threads;
import io.kimi.core.store.sqlite.SqliteStore;
import io.kimi.core.tokens.TokenCounter;
import io.kimi.core.tokens.TokenEncoding;
import io.kimi.features.FeatureToggles;
import io.kimi.features.TransformContext;
import io.kimi.testing.MutableClock;
import io.kimi.testing.ToolHeavyConversation;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Compaction on a realistic tool-heavy coding session; prints the tokens it saves. */
class ToolHeavyCompactionTest {
    private static final Instant T0 = Instant.parse("2025-01-01T10:00:00Z");
    private static final TokenEncoding ENCODING = TokenEncoding.CL100K_BASE;
    private static final int WINDOW = 128_000;
    private static final int TURNS = 60;

    @TempDir
    Path dir;
    private final TokenCounter counter = new TokenCounter(200_000_000);
    private final MutableClock clock = new MutableClock(T0);
    private final ExecutorService executor = Executors.newFixedThreadPool(2, Threads.daemon("tool-heavy-test"));
    private SqliteStore store;
    private SessionCompactions compactions;
    private CompactionService service;

    @BeforeEach
    void open() {
        store = SqliteStore.open(dir.resolve("kimi.db"), clock);
        store.saveSession(Session.newProxy("s1", "agent", T0, "p", "m", WINDOW)).join();
        compactions = new SessionCompactions(store);
        service = new CompactionService(compactions, new HeuristicSummarizer(), store, counter,
                CompactionConfig.DEFAULT, CompactionListener.NONE, executor, clock);
    }

    @AfterEach
    void close() {
        store.close();
        Threads.shutdown(executor, Duration.ofSeconds(5), "test executor", LoggerFactory.getLogger(getClass()));
    }

    private ArrayNode send(ArrayNode messages) {
        return compactions.apply(messages, new TransformContext("s1", "r", "m", ENCODING, WINDOW, counter,
                clock.instant())).messages();
    }

    private int tokens(ArrayNode messages) {
        int sum = 0;
        for (JsonNode m : messages) {
            sum += counter.countMessage(ENCODING, m);
        }
        return sum;
    }

    @Test
    void aManualCompactionOfALongSessionKeepsSavingOnLaterRequests() {
        ArrayNode history = ToolHeavyConversation.messages(TURNS, 7);
        send(history);

        CompactionRecord record = service.execute("s1", false).join();
        ArrayNode next = history.deepCopy();
        next.add(JsonNodeFactory.instance.objectNode().put("role", "user").put("content", "Now run all tests."));
        ArrayNode sent = send(next);

        int full = tokens(next);
        int compacted = tokens(sent);
        System.out.printf("ToolHeavyConversation(%d turns): %d messages, %d tokens; after a manual compaction"
                + " (%s summary of %d messages, %d chars): %d messages, %d tokens sent (%.1f %% saved)%n",
                TURNS, next.size(), full, record.method(), record.messageHashes().size(), record.summary().length(),
                sent.size(), compacted, 100.0 * (full - compacted) / full);
        assertThat(sent.get(0)).isEqualTo(next.get(0));
        assertThat(sent.get(1).path("content").asText()).isEqualTo(record.summary());
        assertThat(sent.get(sent.size() - 1)).isEqualTo(next.get(next.size() - 1));
        assertThat(compacted).isLessThan(full / 4);
        assertThat(record.summary()).contains("User requests (", "Tool calls (", "Errors seen (");
    }

    @Test
    void automaticCompactionKeepsALongSessionBelowItsWindow() {
        ArrayNode history = ToolHeavyConversation.messages(TURNS, 11);
        List<Integer> turnEnds = new ArrayList<>();
        for (int i = 1; i < history.size(); i++) {
            if ("user".equals(history.get(i).path("role").asText())) {
                turnEnds.add(i);
            }
        }
        turnEnds.add(history.size());
        AutoCompaction auto = new AutoCompaction(service, CompactionConfig.DEFAULT,
                new FeatureToggles(Map.of("compaction", true)), executor, clock);

        long sentWithout = 0;
        long sentWith = 0;
        int peak = 0;
        int runs = 0;
        for (int end : turnEnds.subList(1, turnEnds.size())) {
            ArrayNode request = JsonNodeFactory.instance.arrayNode();
            for (int i = 0; i < end; i++) {
                request.add(history.get(i));
            }
            int prompt = tokens(send(request));
            sentWithout += tokens(request);
            sentWith += prompt;
            peak = Math.max(peak, prompt);
            AutoCompaction.Decision decision = auto.onRequest("s1", prompt, WINDOW);
            if (decision.started()) {
                runs++;
                try {
                    decision.compaction().join();
                } catch (CompletionException e) {
                    assertThat(e.getCause()).isInstanceOf(NothingToCompactException.class);
                }
            }
            clock.advance(Duration.ofMinutes(2));
        }

        System.out.printf("ToolHeavyConversation(%d turns), one request per turn, window %d, threshold 85 %%:"
                + " %d tokens sent without compaction, %d with (%.1f %% saved); %d automatic compactions; peak"
                + " prompt %d tokens%n", TURNS, WINDOW, sentWithout, sentWith,
                100.0 * (sentWithout - sentWith) / sentWithout, runs, peak);
        assertThat(runs).isPositive();
        assertThat(sentWith).isLessThan(sentWithout);
        assertThat(peak).isLessThan(WINDOW);
    }
}
