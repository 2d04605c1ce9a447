package io.kimi.services.internal.features;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.config.FeaturesConfig;
import io.kimi.config.KimiConfig;
import io.kimi.core.CompactionRecord;
import io.kimi.core.EventTypes;
import io.kimi.core.Threads;
import io.kimi.core.store.FeatureRecords;
import io.kimi.core.tokens.TokenCounter;
import io.kimi.features.FeatureToggles;
import io.kimi.features.TransformerChain;
import io.kimi.features.chat.ChatModel;
import io.kimi.features.compaction.AutoCompaction;
import io.kimi.features.compaction.CompactionListener;
import io.kimi.features.compaction.CompactionService;
import io.kimi.features.compaction.HeuristicSummarizer;
import io.kimi.features.compaction.ModelSummarizer;
import io.kimi.features.compaction.SessionCompactions;
import io.kimi.features.compaction.Summarizer;
import io.kimi.features.compaction.Summary;
import io.kimi.features.compaction.SummaryRequest;
import io.kimi.features.mcp.McpGateway;
import io.kimi.features.memory.MemoryDetector;
import io.kimi.features.repair.ToolCallRepair;
import io.kimi.features.sanitizer.MaskVault;
import io.kimi.features.sanitizer.Sanitizer;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The context features of one server, built from its config: the transformer chain in its fixed order
 * (tool-call repair, sanitizer, compaction, MCP memory), the runtime switches, the mask vault, manual and
 * automatic compaction (on its own thread) and the MCP gateway. {@link #close()} stops the compaction thread.
 */
public final class ContextFeatures implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ContextFeatures.class);

    private final FeaturesConfig config;
    private final FeatureToggles toggles;
    private final MaskVault vault;
    private final Sanitizer sanitizer;
    private final SessionCompactions compactions;
    private final CompactionService compactionService;
    private final AutoCompaction autoCompaction;
    private final TransformerChain chain;
    private final McpGateway gateway;
    private final ExecutorService background = Executors.newSingleThreadExecutor(Threads.daemon("kimi-compaction"));
    private final Path workspace;
    private final AtomicReference<ChatModel> chatModel = new AtomicReference<>();
    private final ObjectMapper json;

    public ContextFeatures(KimiConfig kimi, FeatureRecords store, TokenCounter counter, FeatureEvents events,
            Clock clock, ObjectMapper json) {
        requireNonNull(kimi, "kimi");
        this.json = requireNonNull(json, "json");
        requireNonNull(events, "events");
        this.config = kimi.features();
        Map<String, Boolean> initial = new LinkedHashMap<>();
        initial.put(ToolCallRepair.NAME, config.toolRepair().enabled());
        initial.put(Sanitizer.NAME, config.sanitizer().enabled());
        initial.put(SessionCompactions.NAME, config.compaction().enabled());
        initial.put(MemoryDetector.NAME, config.memory().enabled());
        this.toggles = new FeatureToggles(initial);
        this.vault = new MaskVault(store);
        this.sanitizer = new Sanitizer(config.sanitizer(), vault);
        this.compactions = new SessionCompactions(store);
        compactions.load();
        Summarizer heuristic = new HeuristicSummarizer();
        String summaryModel = config.compaction().summaryModel();
        Summarizer summarizer = summaryModel == null ? heuristic : new LateModelSummarizer(summaryModel,
                config.compaction().summaryTimeout(), heuristic);
        this.compactionService = new CompactionService(compactions, summarizer, store, counter,
                config.compaction(), new EventsListener(events, json), background, clock);
        this.autoCompaction = new AutoCompaction(compactionService, config.compaction(), toggles, background, clock);
        this.chain = new TransformerChain(List.of(new ToolCallRepair(config.toolRepair()), sanitizer, compactions,
                new MemoryDetector(config.memory())), toggles);
        this.gateway = new McpGateway(kimi.mcp(), HttpClient.newBuilder()
                .connectTimeout(kimi.mcp().timeout()).build(), clock, json);
        this.workspace = kimi.mcp().workspace();
    }

    /**
     * Lets the summariser model be asked through {@code chat}, the server's in-process chat path (ready once the
     * server's event loops run); until then summaries are the heuristic's.
     */
    public void chatReady(ChatModel chat) {
        chatModel.set(requireNonNull(chat, "chat"));
    }

    public TransformerChain chain() {
        return chain;
    }

    public FeatureToggles toggles() {
        return toggles;
    }

    public FeaturesConfig config() {
        return config;
    }

    public MaskVault vault() {
        return vault;
    }

    public CompactionService compaction() {
        return compactionService;
    }

    public McpGateway gateway() {
        return gateway;
    }

    /** The only directory tree MCP calls may name files in. */
    public Path workspace() {
        return workspace;
    }

    /** Hands each recorded request's prompt size to automatic compaction. */
    public CompactionTrigger compactionTrigger() {
        return (sessionId, promptTokens, contextWindow, now) -> {
            AutoCompaction.Decision d = autoCompaction.onRequest(sessionId, promptTokens, contextWindow);
            if (d.started()) {
                log.info("Automatic compaction of session {} started: {}", sessionId, d.reason());
            }
        };
    }

    /**
     * Forgets a deleted session's compaction state: conversation, applied compactions, preview, and the automatic
     * compaction's count and cooldown.
     */
    public void forget(String sessionId) {
        compactionService.forget(sessionId);
        autoCompaction.forget(sessionId);
    }

    /** Stops the compaction thread (a compaction still running is given a few seconds). */
    @Override
    public void close() {
        Threads.shutdown(background, Duration.ofSeconds(5), "Compaction", log);
    }

    /** COMPACTION_APPLIED / COMPACTION_UNDONE events with the record's fields. */
    private static final class EventsListener implements CompactionListener {
        private final FeatureEvents events;
        private final ObjectMapper json;

        EventsListener(FeatureEvents events, ObjectMapper json) {
            this.events = events;
            this.json = json;
        }

        @Override
        public void applied(CompactionRecord record) {
            events.emit(record.sessionId(), EventTypes.COMPACTION_APPLIED, data(record));
        }

        @Override
        public void undone(CompactionRecord record) {
            events.emit(record.sessionId(), EventTypes.COMPACTION_UNDONE, data(record));
        }

        private ObjectNode data(CompactionRecord r) {
            return json.valueToTree(CompactionViews.record(r));
        }
    }

    /** The model summariser, once the server's chat path is ready; the heuristic until then. */
    private final class LateModelSummarizer implements Summarizer {
        private final String model;
        private final Duration timeout;
        private final Summarizer fallback;
        private final AtomicReference<Summarizer> delegate = new AtomicReference<>();

        LateModelSummarizer(String model, Duration timeout, Summarizer fallback) {
            this.model = model;
            this.timeout = timeout;
            this.fallback = fallback;
        }

        @Override
        public CompletableFuture<Summary> summarize(List<JsonNode> messages, SummaryRequest request) {
            ChatModel chat = chatModel.get();
            if (chat == null) {
                return fallback.summarize(messages, request);
            }
            Summarizer s = delegate.updateAndGet(d -> d != null ? d
                    : new ModelSummarizer(chat, model, timeout, fallback, json));
            return s.summarize(messages, request);
        }
    }
}
