package io.kimi.services.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.config.ConfigLoader;
import io.kimi.config.ConfigOverrides;
import io.kimi.config.KimiConfig;
import io.kimi.core.hub.EventHub;
import io.kimi.core.store.sqlite.SqliteStore;
import io.kimi.core.tokens.TokenCounter;
import io.kimi.proxy.ModelRouter;
import io.kimi.services.internal.features.ContextFeatures;
import io.kimi.services.internal.features.FeatureEvents;
import io.kimi.services.internal.features.FeatureOutcomes;
import io.kimi.services.internal.live.LiveProtocol;
import io.kimi.services.internal.metrics.ServerMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The services wired as {@code KimiServer} wires them (a real SQLite file in a temporary directory, the context
 * features, the accountant), without the network side, for the fuzz tests of what a client sends; register it
 * as a static {@code @RegisterExtension} field: it starts before the class's tests and stops after them. Two
 * models: {@code m} (window 4096) and {@code tiny} (window 64, so refusals for size are reached), both on a
 * provider that is never called.
 */
public final class ServicesRig implements BeforeAllCallback, AfterAllCallback {
    private final Clock clock = Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC);
    private Path dir;
    private SqliteStore store;
    private ModelRouter router;
    private ProxySessions sessions;
    private Accountant accountant;
    private ChatCompletions completions;
    private LiveProtocol live;
    private ContextFeatures features;
    private ServerMetrics metrics;
    private ExecutorService blocking;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("kimi-services-rig");
        Path file = Files.writeString(dir.resolve("config.toml"), String.join("\n",
                "[providers.local]", "type = \"openai-compatible\"", "base_url = \"http://127.0.0.1:9/v1\"",
                "[models.m]", "provider = \"local\"", "context_window = 4096",
                "[models.tiny]", "provider = \"local\"", "model = \"tiny-upstream\"", "context_window = 64", ""));
        KimiConfig config = new ConfigLoader(Map.of())
                .load(new ConfigOverrides(file, null, null, dir.resolve("kimi.db")));
        store = SqliteStore.open(dir.resolve("kimi.db"), clock);
        ObjectMapper json = new ObjectMapper();
        JsonViews views = new JsonViews(json, config);
        LiveFeed feed = new LiveFeed(new EventHub(), views);
        TokenCounter counter = new TokenCounter(16L << 20);
        router = new ModelRouter(config);
        sessions = ProxySessions.load(store, store, config, clock, feed);
        FeatureEvents featureEvents = new FeatureEvents(store, feed, json, clock);
        features = new ContextFeatures(config, store, counter, featureEvents, clock, json);
        metrics = new ServerMetrics();
        accountant = new Accountant(store, sessions, counter, feed, new ContextAlerts(config.thresholds(), store,
                feed, clock), metrics, new FeatureOutcomes(store, featureEvents, features.compactionTrigger()),
                config.server().accounting());
        completions = new ChatCompletions(router, sessions, counter, accountant, new RateLimiter(config, clock),
                features.chain(), clock, json);
        blocking = Executors.newFixedThreadPool(2);
        live = new LiveProtocol(store, accountant, views, clock, blocking);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        blocking.shutdown();
        blocking.awaitTermination(10, TimeUnit.SECONDS);
        accountant.close();
        features.close();
        metrics.close();
        store.close();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path f : files) {
            Files.delete(f);
        }
    }

    public ModelRouter router() {
        return router;
    }

    public ProxySessions sessions() {
        return sessions;
    }

    public Accountant accountant() {
        return accountant;
    }

    public ChatCompletions completions() {
        return completions;
    }

    public LiveProtocol live() {
        return live;
    }
}
