package io.kimi.benchmarks;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.config.FeaturesConfig;
import io.kimi.config.ModelConfig;
import io.kimi.core.CompactionRecord;
import io.kimi.core.Ids;
import io.kimi.core.store.Store;
import io.kimi.core.tokens.TokenCounter;
import io.kimi.features.FeatureToggles;
import io.kimi.features.RequestTransformer;
import io.kimi.features.TransformContext;
import io.kimi.features.TransformerChain;
import io.kimi.features.compaction.AutoCompaction;
import io.kimi.features.compaction.CompactionListener;
import io.kimi.features.compaction.CompactionService;
import io.kimi.features.compaction.HeuristicSummarizer;
import io.kimi.features.compaction.SessionCompactions;
import io.kimi.features.memory.MemoryDetector;
import io.kimi.features.repair.ToolCallRepair;
import io.kimi.features.sanitizer.MaskVault;
import io.kimi.features.sanitizer.Sanitizer;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * The context features of one proxy, for one session: built as {@code ContextFeatures} builds them (the chain
 * tool-call repair, sanitizer, compaction, memory over one {@link MaskVault}; manual and automatic compaction
 * with the heuristic summary) and run as {@code ChatCompletions} runs them, with only the given features
 * switched on.
 */
final class FeatureRig {
    /** Every feature's wire name, in the order the chain runs them. */
    static final List<String> ALL = List.of(ToolCallRepair.NAME, Sanitizer.NAME, SessionCompactions.NAME,
            MemoryDetector.NAME);

    private final String sessionId;
    private final ModelConfig model;
    private final TokenCounter counter;
    private final Clock clock;
    private final TransformerChain chain;
    private final CompactionService compaction;
    private final AutoCompaction autoCompaction;

    FeatureRig(String sessionId, ModelConfig model, FeaturesConfig config, Set<String> enabled, Store store,
            TokenCounter counter, Executor background, Clock clock) {
        this.sessionId = requireNonNull(sessionId, "sessionId");
        this.model = requireNonNull(model, "model");
        this.counter = requireNonNull(counter, "counter");
        this.clock = requireNonNull(clock, "clock");
        if (!ALL.containsAll(enabled)) {
            throw new IllegalArgumentException("enabled: " + enabled + " (expected: some of " + ALL + ")");
        }
        Map<String, Boolean> initial = new LinkedHashMap<>();
        ALL.forEach(name -> initial.put(name, enabled.contains(name)));
        FeatureToggles toggles = new FeatureToggles(initial);
        SessionCompactions compactions = new SessionCompactions(store);
        compactions.load();
        this.compaction = new CompactionService(compactions, new HeuristicSummarizer(), store, counter,
                config.compaction(), CompactionListener.NONE, background, clock);
        this.autoCompaction = new AutoCompaction(compaction, config.compaction(), toggles, background, clock);
        this.chain = new TransformerChain(List.of(new ToolCallRepair(config.toolRepair()),
                new Sanitizer(config.sanitizer(), new MaskVault(store)), compactions,
                new MemoryDetector(config.memory())), toggles);
    }

    ModelConfig model() {
        return model;
    }

    /** The transformers in the order the chain runs them (disabled ones included). */
    List<RequestTransformer> transformers() {
        return chain.transformers();
    }

    /** The context {@code ChatCompletions} gives a new request of this session. */
    TransformContext newContext() {
        return new TransformContext(sessionId, Ids.timeOrdered("req_"), model.key(), model.encoding(),
                model.contextWindow(), counter, clock.instant());
    }

    /**
     * Runs the enabled transformers on the request's messages and puts their result into the request, exactly as
     * {@code ChatCompletions.transform} does.
     */
    TransformerChain.ChainResult transform(ObjectNode request) {
        ArrayNode messages = (ArrayNode) request.get("messages");
        TransformerChain.ChainResult result = chain.apply(messages, newContext());
        if (result.messages() != messages) {
            request.set("messages", result.messages());
        }
        return result;
    }

    /** Prompt tokens of a request, with the model's encoding (the proxy's estimate). */
    int countPrompt(ObjectNode request) {
        return counter.countPrompt(model.encoding(), request);
    }

    /** A manual compaction of the session's last request (waits for it). */
    CompactionRecord compact() {
        return compaction.execute(sessionId, false).join();
    }

    /** Hands a request's prompt size to automatic compaction, as the proxy does after each request. */
    AutoCompaction.Decision afterRequest(int promptTokens) {
        return autoCompaction.onRequest(sessionId, promptTokens, model.contextWindow());
    }
}
