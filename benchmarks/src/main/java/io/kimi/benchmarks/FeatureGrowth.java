package io.kimi.benchmarks;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.config.FeaturesConfig;
import io.kimi.config.ModelConfig;
import io.kimi.core.CompactionRecord;
import io.kimi.features.compaction.AutoCompaction;
import io.kimi.features.compaction.NothingToCompactException;
import io.kimi.features.compaction.SessionCompactions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletionException;

/**
 * Section 2: a session that grows, one request per turn as an IDE resends its history (request k holds the
 * system prompt and the first k complete turns), each request two minutes after the last. After each request
 * its prompt (as sent) goes to automatic compaction, as the proxy hands it on; a compaction that starts is
 * waited for before the next request (in the proxy it runs on its own thread and usually lands before the next
 * turn).
 */
final class FeatureGrowth {
    /** The context window of this section's model. */
    static final int WINDOW = 128_000;
    /** Simulated time between two requests of the session. */
    static final Duration BETWEEN_REQUESTS = Duration.ofMinutes(2);

    private final FeatureEnvironment env;
    private final ModelConfig model;
    private final FeaturesConfig config;
    private final ObjectNode request;

    /**
     * @param model the model; its context window is replaced by {@link #WINDOW}
     * @param request the whole conversation's request
     */
    FeatureGrowth(FeatureEnvironment env, ModelConfig model, FeaturesConfig config, ObjectNode request) {
        this.env = requireNonNull(env, "env");
        ModelConfig m = requireNonNull(model, "model");
        this.model = new ModelConfig(m.key(), m.provider(), m.upstreamModel(), WINDOW, m.prices(), m.encoding());
        this.config = requireNonNull(config, "config");
        this.request = requireNonNull(request, "request");
    }

    /** One replay's totals. */
    record Replay(String label, int requests, long tokens, int peak, int last, int compactions,
            int nothingToCompact) {
    }

    String markdown() {
        List<Replay> replays = List.of(
                replay("all features off", Set.of(), "growth-off"),
                replay("compaction only (automatic at " + percent(config.compaction().threshold()) + ")",
                        Set.of(SessionCompactions.NAME), "growth-compaction"),
                replay("all on (automatic compaction at " + percent(config.compaction().threshold()) + ")",
                        Set.copyOf(FeatureRig.ALL), "growth-all"));
        long base = replays.get(0).tokens();
        FeatureTable table = new FeatureTable("configuration", "requests", "total prompt tokens sent",
                "change vs all off", "peak prompt", "last prompt", "compactions run",
                "started, nothing to compact");
        for (Replay r : replays) {
            table.row(r.label(), FeatureTable.number(r.requests()), FeatureTable.number(r.tokens()),
                    FeatureTable.change(base, r.tokens()), FeatureTable.number(r.peak()),
                    FeatureTable.number(r.last()), FeatureTable.number(r.compactions()),
                    FeatureTable.number(r.nothingToCompact()));
        }
        return table.markdown();
    }

    private Replay replay(String label, Set<String> enabled, String sessionId) {
        FeatureRig rig = env.rig(sessionId, model, config, enabled);
        ArrayNode messages = (ArrayNode) request.get("messages");
        List<Integer> ends = turnEnds(messages);
        long total = 0;
        int peak = 0;
        int last = 0;
        int compactions = 0;
        int nothing = 0;
        for (int end : ends) {
            ObjectNode next = env.json().createObjectNode();
            request.fields().forEachRemaining(f -> next.set(f.getKey(), f.getValue()));
            ArrayNode prefix = next.putArray("messages");
            for (int i = 0; i < end; i++) {
                prefix.add(messages.get(i));
            }
            rig.transform(next);
            last = rig.countPrompt(next);
            total += last;
            peak = Math.max(peak, last);
            AutoCompaction.Decision decision = rig.afterRequest(last);
            if (decision.started()) {
                if (finished(decision)) {
                    compactions++;
                } else {
                    nothing++;
                }
            }
            env.clock().advance(BETWEEN_REQUESTS);
        }
        return new Replay(label, ends.size(), total, peak, last, compactions, nothing);
    }

    /** Waits for a started compaction: true when it was applied, false when there was nothing to compact. */
    private static boolean finished(AutoCompaction.Decision decision) {
        try {
            CompactionRecord record = decision.compaction().join();
            return record != null;
        } catch (CompletionException e) {
            if (e.getCause() instanceof NothingToCompactException) {
                return false;
            }
            throw e;
        }
    }

    /**
     * The end (exclusive) of each complete turn: just before the next turn's first user message, and the array's
     * end. A turn starts at a user message that does not follow another one (a pasted console log and the
     * question about it are one turn).
     */
    static List<Integer> turnEnds(ArrayNode messages) {
        List<Integer> ends = new ArrayList<>();
        boolean started = false;
        for (int i = 0; i < messages.size(); i++) {
            if (isUser(messages.get(i)) && (i == 0 || !isUser(messages.get(i - 1)))) {
                if (started) {
                    ends.add(i);
                }
                started = true;
            }
        }
        ends.add(messages.size());
        return ends;
    }

    private static boolean isUser(JsonNode message) {
        return "user".equals(message.path("role").asText());
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.0f %%", share * 100);
    }
}
