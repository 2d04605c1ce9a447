package io.kimi.features.compaction;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.kimi.config.CompactionConfig;
import io.kimi.core.CompactionRecord;
import io.kimi.core.store.CompactionRecords;
import io.kimi.core.tokens.TokenCounter;
import io.kimi.core.tokens.TokenEncoding;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Manual and automatic compaction of a session's last conversation (as {@link SessionCompactions} remembers
 * it): preview, execute, undo, history.
 *
 * <p>Executing plans the run to replace ({@link CompactionPlanner}), has it summarised, stores the compaction,
 * then makes it apply to the session's later requests and tells the {@link CompactionListener}. A preview's
 * summary is kept, so executing right after it applies exactly what was previewed (same id, same summary) when
 * the run to replace is still the same. One compaction (or undo) per session at a time.
 *
 * <p>Every method returns at once: planning, counting and summarising run on the given executor. Thread-safe.
 */
public final class CompactionService {
    private static final Logger log = LoggerFactory.getLogger(CompactionService.class);
    private static final int MAX_KEPT_PREVIEWS = 1_024;

    private final SessionCompactions compactions;
    private final CompactionPlanner planner;
    private final Summarizer summarizer;
    private final CompactionRecords store;
    private final TokenCounter counter;
    private final CompactionListener listener;
    private final Executor executor;
    private final Clock clock;
    private final Set<String> busy = ConcurrentHashMap.newKeySet();
    private final Cache<String, Previewed> previews = Caffeine.newBuilder()
            .maximumSize(MAX_KEPT_PREVIEWS)
            .executor(Runnable::run)
            .build();

    /**
     * @param compactions the transformer that applies compactions and remembers conversations
     * @param summarizer writes summaries (a {@link ModelSummarizer} with a heuristic fallback, or a
     *     {@link HeuristicSummarizer})
     * @param store where compactions are kept
     * @param counter counts tokens before and after
     * @param config which messages are kept
     * @param listener told of each compaction applied or undone
     * @param executor runs planning, counting, summarising and the listener
     * @param clock when compactions are made and undone
     */
    public CompactionService(SessionCompactions compactions, Summarizer summarizer, CompactionRecords store,
            TokenCounter counter, CompactionConfig config, CompactionListener listener, Executor executor,
            Clock clock) {
        this.compactions = requireNonNull(compactions, "compactions");
        this.summarizer = requireNonNull(summarizer, "summarizer");
        this.store = requireNonNull(store, "store");
        this.counter = requireNonNull(counter, "counter");
        this.planner = new CompactionPlanner(requireNonNull(config, "config"));
        this.listener = requireNonNull(listener, "listener");
        this.executor = requireNonNull(executor, "executor");
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * What compacting the session now would do. Summarises (possibly with a model), so it takes as long as a
     * compaction, and the summary is kept for {@link #execute}.
     *
     * @return fails with {@link NothingToCompactException} when there is nothing to compact
     */
    public CompletableFuture<CompactionPreview> preview(String sessionId) {
        requireNonNull(sessionId, "sessionId");
        return async(() -> plan(sessionId))
                .thenCompose(planned -> summarise(planned, null))
                .thenApply(prepared -> {
                    previews.put(sessionId, prepared.previewed());
                    return prepared.toPreview();
                });
    }

    /**
     * Compacts the session's last conversation: summarises the run to replace (or takes the previewed summary),
     * stores the compaction, makes it apply to the session's later requests, and tells the listener.
     *
     * @param automatic whether the threshold triggered it (else the user did)
     * @return the stored compaction; fails with {@link NothingToCompactException}, with
     *     {@link CompactionInProgressException} when one is being made for the session already, or with the
     *     store's exception when it could not be stored (then it does not apply)
     */
    public CompletableFuture<CompactionRecord> execute(String sessionId, boolean automatic) {
        requireNonNull(sessionId, "sessionId");
        if (!busy.add(sessionId)) {
            return CompletableFuture.failedFuture(new CompactionInProgressException(sessionId));
        }
        CompletableFuture<CompactionRecord> result = async(() -> plan(sessionId))
                .thenCompose(planned -> summarise(planned, previews.getIfPresent(sessionId)))
                .thenCompose(prepared -> save(prepared, automatic));
        return result.whenComplete((record, error) -> busy.remove(sessionId));
    }

    /**
     * Undoes the session's newest compaction that applies: later requests carry the replaced messages again.
     *
     * @return the undone compaction (with its {@code undoneAt}), or empty when none applies; fails with
     *     {@link CompactionInProgressException} while a compaction of the session is being made, or with the
     *     store's exception (then the compaction still applies)
     */
    public CompletableFuture<Optional<CompactionRecord>> undo(String sessionId) {
        requireNonNull(sessionId, "sessionId");
        if (!busy.add(sessionId)) {
            return CompletableFuture.failedFuture(new CompactionInProgressException(sessionId));
        }
        CompletableFuture<Optional<CompactionRecord>> result;
        try {
            result = undoNewest(sessionId);
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        return result.whenComplete((record, error) -> busy.remove(sessionId));
    }

    /** The session's compactions, newest first, undone ones included. Reads the database: call off event loops. */
    public List<CompactionRecord> history(String sessionId) {
        return store.listCompactions(requireNonNull(sessionId, "sessionId"));
    }

    /** The compactions that apply to the session's requests, oldest first. */
    public List<CompactionRecord> active(String sessionId) {
        return compactions.active(sessionId);
    }

    /** Whether a compaction (or an undo) of the session is under way. */
    /** How many messages the last conversation seen for the session had (after its compactions), if one was seen. */
    public OptionalInt seenMessages(String sessionId) {
        return compactions.conversation(requireNonNull(sessionId, "sessionId"))
                .map(c -> OptionalInt.of(c.messages().size())).orElse(OptionalInt.empty());
    }

    /**
     * Forgets a deleted session: its remembered conversation, the compactions that apply to it and its last
     * preview (a compaction still running finishes, but a session re-created under the id starts afresh).
     */
    public void forget(String sessionId) {
        requireNonNull(sessionId, "sessionId");
        compactions.forget(sessionId);
        previews.invalidate(sessionId);
    }

    public boolean running(String sessionId) {
        return busy.contains(requireNonNull(sessionId, "sessionId"));
    }

    private CompletableFuture<Optional<CompactionRecord>> undoNewest(String sessionId) {
        Optional<CompactionRecord> newest = compactions.deactivateNewest(sessionId);
        if (newest.isEmpty()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        previews.invalidate(sessionId);
        CompactionRecord undone = newest.get().undone(clock.instant());
        return store.saveCompaction(undone).handleAsync((ok, error) -> {
            if (error != null) {
                compactions.activate(newest.get());
                log.error("Could not store the undo of compaction {} of session {}; it still applies",
                        undone.compactionId(), sessionId, error);
                throw error instanceof CompletionException c ? c : new CompletionException(error);
            }
            log.info("Compaction {} of session {} undone: its {} messages are sent again", undone.compactionId(),
                    sessionId, undone.messageHashes().size());
            notify(() -> listener.undone(undone), "undone", undone);
            return Optional.of(undone);
        }, executor);
    }

    /** The run to replace in the session's last conversation, with the token counts. */
    private Planned plan(String sessionId) {
        Conversation conversation = compactions.conversation(sessionId).orElseThrow(() ->
                new NothingToCompactException("session " + sessionId + ": no conversation seen yet (compaction"
                        + " works on the last request the proxy relayed for the session)"));
        CompactionPlan plan = planner.plan(conversation.messages()).orElseThrow(() ->
                new NothingToCompactException("session " + sessionId + ": nothing to compact: "
                        + planner.whyNot(conversation.messages())));
        TokenEncoding encoding = conversation.encoding();
        int total = 0;
        for (JsonNode message : conversation.messages()) {
            total += count(encoding, message);
        }
        int replaced = 0;
        for (JsonNode message : plan.replaced()) {
            replaced += count(encoding, message);
        }
        return new Planned(conversation, plan, total, replaced);
    }

    /** Summarises the planned run, or takes the previewed summary when it was made for the same run. */
    private CompletableFuture<Prepared> summarise(Planned planned, Previewed previewed) {
        if (previewed != null && previewed.hashes().equals(planned.plan().hashes())) {
            return CompletableFuture.completedFuture(new Prepared(planned, previewed.compactionId(),
                    previewed.content(), previewed.method(), previewed.summaryTokens()));
        }
        String compactionId = "cmp_" + UUID.randomUUID().toString().replace("-", "");
        String sessionId = planned.conversation().sessionId();
        return summarizer.summarize(planned.plan().replaced(), new SummaryRequest(sessionId, compactionId))
                .thenApplyAsync(summary -> {
                    String content = SummaryMessage.content(compactionId, planned.plan().replaced().size(),
                            planned.tokensReplaced(), summary.text());
                    int summaryTokens = counter.countMessage(planned.conversation().encoding(),
                            SummaryMessage.message(content));
                    return new Prepared(planned, compactionId, content, summary.method(), summaryTokens);
                }, executor);
    }

    private CompletableFuture<CompactionRecord> save(Prepared prepared, boolean automatic) {
        Planned planned = prepared.planned();
        String sessionId = planned.conversation().sessionId();
        CompactionRecord record = new CompactionRecord(prepared.compactionId(), sessionId, clock.instant(),
                planned.plan().hashes(), prepared.content(), prepared.method(), automatic, planned.tokensTotal(),
                prepared.tokensAfter(), null);
        return store.saveCompaction(record).thenApplyAsync(ok -> {
            compactions.activate(record);
            previews.invalidate(sessionId);
            log.info("Compaction {} of session {} ({}, {} summary): {} messages replaced, {} -> {} tokens",
                    record.compactionId(), sessionId, automatic ? "automatic" : "manual", record.method(),
                    record.messageHashes().size(), record.tokensBefore(), record.tokensAfter());
            notify(() -> listener.applied(record), "applied", record);
            return record;
        }, executor);
    }

    private void notify(Runnable call, String what, CompactionRecord record) {
        try {
            call.run();
        } catch (RuntimeException e) {
            log.error("Compaction listener failed on '{}' of compaction {} of session {}", what,
                    record.compactionId(), record.sessionId(), e);
        }
    }

    private <T> CompletableFuture<T> async(Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, executor);
    }

    private int count(TokenEncoding encoding, JsonNode message) {
        return message.isObject() ? counter.countMessage(encoding, message) : 0;
    }

    /** A planned run and the counts around it. */
    private record Planned(Conversation conversation, CompactionPlan plan, int tokensTotal, int tokensReplaced) {
    }

    /** A previewed summary, kept for executing the same run. */
    private record Previewed(List<String> hashes, String compactionId, String content, String method,
            int summaryTokens) {
    }

    /** A planned run with its summary message. */
    private record Prepared(Planned planned, String compactionId, String content, String method,
            int summaryTokens) {

        int tokensAfter() {
            return planned.tokensTotal() - planned.tokensReplaced() + summaryTokens;
        }

        Previewed previewed() {
            return new Previewed(planned.plan().hashes(), compactionId, content, method, summaryTokens);
        }

        CompactionPreview toPreview() {
            int total = planned.conversation().messages().size();
            int replaced = planned.plan().replaced().size();
            return new CompactionPreview(planned.conversation().sessionId(), compactionId, total, replaced,
                    total - replaced, planned.tokensTotal(), tokensAfter(), content, method);
        }
    }
}
