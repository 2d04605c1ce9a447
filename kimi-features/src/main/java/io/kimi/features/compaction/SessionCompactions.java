package io.kimi.features.compaction;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.kimi.core.CompactionRecord;
import io.kimi.core.store.CompactionRecords;
import io.kimi.core.tokens.TokenCounter;
import io.kimi.core.tokens.TokenEncoding;
import io.kimi.features.FeatureReport;
import io.kimi.features.NamedTransformer;
import io.kimi.features.TransformContext;
import io.kimi.features.Transformed;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The compaction transformer: on every request of a session, replaces the run of each compaction that applies to
 * it (oldest first) by that compaction's summary message, so a compaction keeps saving tokens while the client
 * resends its whole history. Its report counts the client's messages replaced, their tokens ({@code tokensBefore})
 * and the summary messages' tokens ({@code tokensAfter}), with details {@code {"applied":[ids],"not_found":[ids]}}.
 * A compaction whose run is no longer in the conversation (the client edited or restarted it) changes nothing and
 * stays active; a request in which no run is found goes on unchanged, without a report.
 *
 * <p>It also remembers each session's last conversation (what was sent upstream, and what the client sent), so
 * a compaction can be planned between requests; the memory is bounded by the total length of the remembered
 * messages' text (over the bound, the conversations of sessions seen least are dropped). A session without
 * compactions costs one map lookup and remembering a reference per request.
 *
 * <p>The compactions that apply come from the store at {@link #load()} and change through
 * {@link CompactionService}. Thread-safe; {@link #apply} never blocks.
 */
public final class SessionCompactions extends NamedTransformer {
    /** The feature's wire name. */
    public static final String NAME = "compaction";
    /** Default bound of the remembered conversations: 256 M characters of message text. */
    public static final long DEFAULT_MAX_REMEMBERED_CHARS = 256L * 1024 * 1024;

    private static final int MESSAGE_OVERHEAD_CHARS = 32;

    private final CompactionRecords store;
    private final Map<String, List<ActiveCompaction>> active = new ConcurrentHashMap<>();
    private final Cache<String, Seen> seen;

    public SessionCompactions(CompactionRecords store) {
        this(store, DEFAULT_MAX_REMEMBERED_CHARS);
    }

    /** @param maxRememberedChars bound of the remembered conversations, in characters of message text */
    public SessionCompactions(CompactionRecords store, long maxRememberedChars) {
        super(NAME);
        this.store = requireNonNull(store, "store");
        if (maxRememberedChars < 0) {
            throw new IllegalArgumentException("maxRememberedChars: " + maxRememberedChars + " (expected: >= 0)");
        }
        this.seen = Caffeine.newBuilder()
                .maximumWeight(maxRememberedChars)
                .weigher((String session, Seen s) -> s.weight())
                .executor(Runnable::run)
                .build();
    }

    /**
     * Loads the compactions that apply from the store, replacing those held. Reads the database: call at start,
     * off event loops.
     */
    public void load() {
        Map<String, List<ActiveCompaction>> bySession = new LinkedHashMap<>();
        for (CompactionRecord record : store.listActiveCompactions()) {
            if (record.active()) {
                bySession.computeIfAbsent(record.sessionId(), s -> new ArrayList<>()).add(ActiveCompaction.of(record));
            }
        }
        active.keySet().retainAll(bySession.keySet());
        bySession.forEach((session, list) -> active.put(session, List.copyOf(list)));
    }

    @Override
    protected Transformed transform(ArrayNode messages, TransformContext context) {
        List<ActiveCompaction> compactions = active.getOrDefault(context.sessionId(), List.of());
        if (compactions.isEmpty()) {
            remember(context, messages, compactions, messages);
            return Transformed.unchanged(messages, NAME);
        }
        Replacement replaced = Replacement.of(messages, compactions);
        remember(context, messages, compactions, replaced.messages());
        if (replaced.applied().isEmpty()) {
            return Transformed.unchanged(messages, NAME);
        }
        TokenCounter counter = context.counter();
        TokenEncoding encoding = context.encoding();
        int before = 0;
        for (Replacement.Applied applied : replaced.applied()) {
            before += applied.compaction().removedTokens().computeIfAbsent(encoding, e -> {
                int sum = 0;
                for (JsonNode message : applied.removed()) {
                    sum += count(counter, e, message);
                }
                return sum;
            });
        }
        int after = 0;
        for (JsonNode summary : replaced.summaries()) {
            after += count(counter, encoding, summary);
        }
        ObjectNode details = JsonNodeFactory.instance.objectNode();
        ArrayNode ids = details.putArray("applied");
        replaced.applied().forEach(a -> ids.add(a.compaction().id()));
        replaced.notFound().forEach(details.putArray("not_found")::add);
        return new Transformed(replaced.messages(),
                new FeatureReport(NAME, replaced.removedCount(), before, after, details));
    }

    /** The compactions that apply to the session, oldest first. */
    public List<CompactionRecord> active(String sessionId) {
        requireNonNull(sessionId, "sessionId");
        return active.getOrDefault(sessionId, List.of()).stream().map(ActiveCompaction::record).toList();
    }

    /** Forgets the session's remembered conversation and the compactions that apply to it (when it is deleted). */
    public void forget(String sessionId) {
        requireNonNull(sessionId, "sessionId");
        seen.invalidate(sessionId);
        active.remove(sessionId);
    }

    /**
     * The session's last conversation as it would be sent upstream now: when the compactions that apply changed
     * since that request, they are applied again to what the client sent.
     */
    Optional<Conversation> conversation(String sessionId) {
        Seen s = seen.getIfPresent(sessionId);
        if (s == null) {
            return Optional.empty();
        }
        List<ActiveCompaction> now = active.getOrDefault(sessionId, List.of());
        ArrayNode messages = now == s.appliedWith() ? s.output() : Replacement.of(s.input(), now).messages();
        return Optional.of(new Conversation(sessionId, messages, s.encoding(), s.model(), s.contextWindow(),
                s.seenAt()));
    }

    /** Makes the compaction apply to its session's later requests, after those that apply already. */
    void activate(CompactionRecord record) {
        if (!record.active()) {
            throw new IllegalArgumentException("record: " + record.compactionId() + " (expected: not undone)");
        }
        ActiveCompaction compaction = ActiveCompaction.of(record);
        active.compute(record.sessionId(), (session, list) -> {
            List<ActiveCompaction> next = new ArrayList<>(list == null ? List.of() : list);
            next.removeIf(c -> c.id().equals(record.compactionId()));
            next.add(compaction);
            return List.copyOf(next);
        });
    }

    /** Stops the session's newest compaction from applying; returns it, or empty when none applies. */
    Optional<CompactionRecord> deactivateNewest(String sessionId) {
        CompactionRecord[] removed = new CompactionRecord[1];
        active.computeIfPresent(sessionId, (session, list) -> {
            removed[0] = list.get(list.size() - 1).record();
            return list.size() == 1 ? null : List.copyOf(list.subList(0, list.size() - 1));
        });
        return Optional.ofNullable(removed[0]);
    }

    private void remember(TransformContext context, ArrayNode input, List<ActiveCompaction> appliedWith,
            ArrayNode output) {
        seen.put(context.sessionId(), new Seen(input, appliedWith, output, context.encoding(), context.model(),
                context.contextWindow(), context.now(), weigh(input)));
    }

    private static int count(TokenCounter counter, TokenEncoding encoding, JsonNode message) {
        return message.isObject() ? counter.countMessage(encoding, message) : 0;
    }

    /** Roughly the characters the messages hold, without serialising them. */
    private static int weigh(ArrayNode messages) {
        long chars = 0;
        for (JsonNode message : messages) {
            chars += MESSAGE_OVERHEAD_CHARS + textLength(message.get("content"));
            JsonNode calls = message.get("tool_calls");
            if (calls != null && calls.isArray()) {
                for (JsonNode call : calls) {
                    chars += MESSAGE_OVERHEAD_CHARS + textLength(call.path("function").get("arguments"));
                }
            }
        }
        return (int) Math.min(Integer.MAX_VALUE, chars);
    }

    private static long textLength(JsonNode node) {
        if (node == null) {
            return 0;
        }
        if (node.isTextual()) {
            return node.textValue().length();
        }
        if (node.isArray()) {
            long sum = 0;
            for (JsonNode part : node) {
                sum += MESSAGE_OVERHEAD_CHARS + textLength(part.get("text"));
            }
            return sum;
        }
        return node.isContainerNode() ? node.size() * (long) MESSAGE_OVERHEAD_CHARS : 0;
    }

    /** One session's last request, as received and as sent. */
    private record Seen(ArrayNode input, List<ActiveCompaction> appliedWith, ArrayNode output, TokenEncoding encoding,
            String model, int contextWindow, Instant seenAt, int weight) {
    }
}
