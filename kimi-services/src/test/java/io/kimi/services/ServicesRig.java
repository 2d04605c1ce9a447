package io.kimi.services;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.config.ConfigLoader;
import io.kimi.config.ConfigOverrides;
import io.kimi.config.KimiConfig;
import io.kimi.core.hub.EventHub;
import io.kimi.core.store.sqlite.SqliteStore;
import io.kimi.core.tokens.TokenCounter;
import io.kimi.proxy.ModelRouter;
import io.kimi.services.features.ContextFeatures;
import io.kimi.services.features.FeatureEvents;
import io.kimi.services.features.FeatureOutcomes;
import io.kimi.services.live.LiveProtocol;
import io.kimi.services.metrics.ServerMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The services wired as {@code KimiServer} wires them (a real SQLite file, the context features, the
 * accountant), without the network side, for the fuzz tests of what a client sends. Two models: {@code m}
 * (window 4096) and {@code tiny} (window 64, so refusals for size are reached), both on a provider that is
 * never called.
 */
public final class ServicesRig implements AutoCloseable {
    public final Clock clock = Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC);
    public final KimiConfig config;
    public final SqliteStore store;
    public final ModelRouter router;
    public final ProxySessions sessions;
    public final Accountant accountant;
    public final ChatCompletions completions;
    public final LiveProtocol live;
    private final ContextFeatures features;
    private final ServerMetrics metrics;
    private final ExecutorService blocking = Executors.newFixedThreadPool(2);

    public ServicesRig(Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("config.toml"), String.join("\n",
                "[providers.local]", "type = \"openai-compatible\"", "base_url = \"http://127.0.0.1:9/v1\"",
                "[models.m]", "provider = \"local\"", "context_window = 4096",
                "[models.tiny]", "provider = \"local\"", "model = \"tiny-upstream\"",
                "context_window = 64", ""));
        config = new ConfigLoader(Map.of()).load(new ConfigOverrides(file, null, null, dir.resolve("kimi.db")));
        store = SqliteStore.open(dir.resolve("kimi.db"), clock);
        ObjectMapper json = new ObjectMapper();
        JsonViews views = new JsonViews(json, config);
        LiveFeed feed = new LiveFeed(new EventHub(), views);
        TokenCounter counter = new TokenCounter(16L << 20);
        router = new ModelRouter(config);
        sessions = ProxySessions.load(store, config, clock, feed);
        FeatureEvents featureEvents = new FeatureEvents(store, feed, json, clock);
        features = new ContextFeatures(config, store, counter, featureEvents, clock);
        metrics = new ServerMetrics();
        accountant = new Accountant(store, sessions, counter, feed, new ContextAlerts(config.thresholds(), store,
                feed, clock), metrics, new FeatureOutcomes(store, featureEvents, features.compactionTrigger()));
        completions = new ChatCompletions(router, sessions, counter, accountant, new RateLimiter(config, clock),
                features.chain(), clock);
        live = new LiveProtocol(store, accountant, views, clock, blocking);
    }

    @Override
    public void close() throws InterruptedException {
        blocking.shutdown();
        blocking.awaitTermination(10, TimeUnit.SECONDS);
        accountant.close();
        features.close();
        metrics.close();
        store.close();
    }
}
