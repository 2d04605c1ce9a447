package io.kimi.services.internal.features;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.kimi.core.EventTypes;
import io.kimi.core.MemoryUsage;
import io.kimi.core.store.MemoryRecords;
import io.kimi.features.FeatureReport;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the context features did to a recorded request, turned into stored facts: the request's MCP memory
 * figures, a {@code CONTENT_MASKED} event the first time a content is masked in a session, a
 * {@code TOOL_CALLS_REPAIRED} event when a session's repairs change, and the prompt size handed to automatic
 * compaction. Runs on the accounting thread, after the request is recorded.
 */
public final class FeatureOutcomes {
    private static final Logger log = LoggerFactory.getLogger(FeatureOutcomes.class);

    private final MemoryRecords store;
    private final FeatureEvents events;
    private final CompactionTrigger compaction;
    /** session + hash of masks already announced, bounded: a forgotten one is announced again, harmlessly. */
    private final Cache<String, Boolean> announcedMasks = Caffeine.newBuilder().maximumSize(100_000)
            .executor(Runnable::run).build();
    private final ConcurrentMap<String, Integer> repairsBySession = new ConcurrentHashMap<>();

    public FeatureOutcomes(MemoryRecords store, FeatureEvents events, CompactionTrigger compaction) {
        this.store = requireNonNull(store, "store");
        this.events = requireNonNull(events, "events");
        this.compaction = requireNonNull(compaction, "compaction");
    }

    /** {@code {"<feature>":{"changed","tokens_before","tokens_after","saved_tokens",...details}}}, for events. */
    public static ObjectNode summary(List<FeatureReport> reports) {
        ObjectNode all = JsonNodeFactory.instance.objectNode();
        for (FeatureReport r : reports) {
            ObjectNode one = all.putObject(r.feature());
            one.put("changed", r.changed())
                    .put("tokens_before", r.tokensBefore())
                    .put("tokens_after", r.tokensAfter())
                    .put("saved_tokens", r.savedTokens());
            one.setAll(r.details());
        }
        return all;
    }

    /**
     * Records a request's feature outcomes.
     *
     * @param promptTokens the prompt as sent (after the features), for automatic compaction
     */
    public void afterRequest(String sessionId, String requestId, Instant arrival, List<FeatureReport> reports,
            int promptTokens, int contextWindow) {
        for (FeatureReport r : reports) {
            try {
                switch (r.feature()) {
                    case "memory" -> saveMemory(sessionId, requestId, arrival, r);
                    case "sanitizer" -> announceMasks(sessionId, requestId, r);
                    case "tool_repair" -> announceRepairs(sessionId, requestId, r);
                    default -> { }
                }
            } catch (RuntimeException e) {
                log.error("Recording what feature '{}' did to request {} failed", r.feature(), requestId, e);
            }
        }
        try {
            compaction.afterRequest(sessionId, promptTokens, contextWindow, arrival);
        } catch (RuntimeException e) {
            log.error("Automatic compaction check of session {} failed", sessionId, e);
        }
    }

    /** Forgets a deleted session's state. */
    public void forget(String sessionId) {
        repairsBySession.remove(sessionId);
        announcedMasks.asMap().keySet().removeIf(k -> k.startsWith(sessionId + "/"));
    }

    private void saveMemory(String sessionId, String requestId, Instant arrival, FeatureReport r) {
        JsonNode d = r.details();
        MemoryUsage usage = new MemoryUsage(requestId, sessionId, arrival, d.path("memory_tokens").asInt(0),
                d.path("chat_tokens").asInt(0), d.path("markers").asInt(0));
        store.saveMemoryUsage(usage).whenComplete((v, e) -> {
            if (e != null) {
                log.error("Could not store the memory figures of request {}", requestId, e);
            }
        });
    }

    private void announceMasks(String sessionId, String requestId, FeatureReport r) {
        ObjectNode data = events.newData();
        var fresh = data.putArray("masked");
        long saved = 0;
        for (JsonNode m : r.details().path("masked")) {
            String key = sessionId + "/" + m.path("hash").asText();
            if (announcedMasks.asMap().putIfAbsent(key, Boolean.TRUE) == null) {
                fresh.add(m);
                saved += m.path("original_tokens").asLong(0) - m.path("placeholder_tokens").asLong(0);
            }
        }
        if (!fresh.isEmpty()) {
            data.put("request_id", requestId).put("count", fresh.size()).put("saved_tokens", saved);
            events.emit(sessionId, EventTypes.CONTENT_MASKED, data);
        }
    }

    private void announceRepairs(String sessionId, String requestId, FeatureReport r) {
        Integer previous = repairsBySession.put(sessionId, r.changed());
        if (r.changed() > 0 && (previous == null || previous != r.changed())) {
            ObjectNode data = events.newData();
            data.put("request_id", requestId).put("repaired", r.changed());
            data.setAll(r.details());
            events.emit(sessionId, EventTypes.TOOL_CALLS_REPAIRED, data);
        }
    }
}
