package io.kimi.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.config.ConfigException;
import io.kimi.config.KimiConfig;
import io.kimi.config.ServerConfig;
import io.kimi.core.KimiException;
import io.kimi.core.ServerJson;
import io.kimi.core.hub.EventHub;
import io.kimi.core.store.Store;
import io.kimi.core.store.sqlite.SqliteStore;
import io.kimi.core.tokens.TokenCounter;
import io.kimi.features.logs.LogWatcher;
import io.kimi.proxy.ChatProxy;
import io.kimi.proxy.ModelRouter;
import io.kimi.proxy.ProxyOptions;
import io.kimi.proxy.SecretScrubber;
import io.kimi.services.internal.Accountant;
import io.kimi.services.internal.ChatCompletions;
import io.kimi.services.internal.ContextAlerts;
import io.kimi.services.internal.InProcessChat;
import io.kimi.services.internal.JsonViews;
import io.kimi.services.internal.LiveFeed;
import io.kimi.services.internal.ProxySessions;
import io.kimi.services.internal.RateLimiter;
import io.kimi.services.internal.SessionDeletion;
import io.kimi.services.internal.convergence.BridgeStatus;
import io.kimi.services.internal.convergence.ConvergenceIngest;
import io.kimi.services.internal.convergence.ConvergenceMeters;
import io.kimi.services.internal.convergence.IncomingEvents;
import io.kimi.services.internal.features.ContextFeatures;
import io.kimi.services.internal.features.FeatureEvents;
import io.kimi.services.internal.features.FeatureOutcomes;
import io.kimi.services.internal.features.LogRecords;
import io.kimi.services.internal.live.LiveClients;
import io.kimi.services.internal.live.LiveProtocol;
import io.kimi.services.internal.live.OutboundBudget;
import io.kimi.services.internal.metrics.DirectMemoryProbe;
import io.kimi.services.internal.metrics.ServerMetrics;
import io.kimi.services.internal.widgets.WidgetRegistry;
import io.kimi.services.widgets.Widgets;
import io.netty.buffer.ByteBufAllocator;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole server, embeddable: an OpenAI-compatible proxy at {@code /chat/completions} and {@code /models}
 * (also under {@code /v1}) that counts every request into sessions stored in SQLite, and the dashboard's REST
 * API. {@code KimiServer.builder().port(0).build().start()} starts one on a free loopback port.
 *
 * <p>Start it once; {@link #close()} stops accepting, ends open exchanges, records every finished request and
 * closes the database: every part is closed in the reverse order of its creation ({@link Components}). Thread-safe.
 */
public final class KimiServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KimiServer.class);

    private final KimiConfig config;
    private final Clock clock;
    private final Object lifecycle = new Object();
    private final EventHub hub = new EventHub();
    private final Components components = new Components();
    /**
     * The server's one JSON mapper (ServerJson's configuration), made here and handed by constructor to every
     * part that reads or writes JSON (views, widgets, features, MCP gateway, log parsers, chat path, export).
     */
    private final ObjectMapper json = ServerJson.newMapper();
    private final WidgetRegistry widgets = components.add("widgets", new WidgetRegistry(hub, json));
    private Store store;
    private HttpListener listener;
    private boolean started;
    private boolean closed;

    KimiServer(KimiConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    /** A builder: {@code KimiServer.builder().port(0).dbPath(Path.of("kimi.db")).build().start()}. */
    public static KimiServerBuilder builder() {
        return new KimiServerBuilder();
    }

    /** The live message hub: subscribe to see every event, metric, session change and alert as it happens. */
    public EventHub hub() {
        return hub;
    }

    /**
     * The dashboard's widgets: {@code server.widgets().register("custom_chart", StepChart::new)}. Those listed in
     * {@code META-INF/services/io.kimi.services.widgets.WidgetProvider} on the classpath are added at start.
     */
    public Widgets widgets() {
        return widgets;
    }

    /** The configuration in force, after every override. */
    public KimiConfig config() {
        return config;
    }

    /**
     * Opens the database and binds the port. Throws {@link ConfigException} for an unsafe or impossible setup
     * (e.g. a non-loopback bind without a token) and {@link KimiException} when the port cannot be bound.
     */
    public KimiServer start() {
        synchronized (lifecycle) {
            if (started) {
                throw new IllegalStateException("already started");
            }
            started = true;
            ServerConfig server = config.server();
            String accessToken = BindCheck.accessToken(server);
            try {
                wire(server, accessToken);
            } catch (Exception e) { // also Netty's undeclared BindException
                try {
                    components.close();
                } catch (KimiException closeFailure) {
                    e.addSuppressed(closeFailure);
                }
                if (e instanceof KimiException) {
                    throw (KimiException) e;
                }
                throw new KimiException("Could not start on " + server.host() + ":" + server.port() + ": "
                        + e.getMessage(), e);
            }
            log.info("Kimi Dashboard listening on {} (database {}, config {})", baseUri(), server.dbPath(),
                    config.source());
            BindCheck.warnIfOnlyLoopbackNamesAnswered(server, log);
            return this;
        }
    }

    /** Creates every part, each registered in {@link #components} as it is made, and binds the port last. */
    private void wire(ServerConfig server, String accessToken) {
        store = components.add("database", SqliteStore.open(server.dbPath(), clock));
        ServerMetrics metrics = components.add("metrics", new ServerMetrics());
        metrics.requestsInterrupted(store.interruptedAtOpen());
        TokenCounter counter = new TokenCounter(64L << 20);
        JsonViews views = new JsonViews(json, config);
        LiveFeed feed = new LiveFeed(hub, views);
        ProxySessions sessions = ProxySessions.load(store, store, config, clock, feed);
        FeatureEvents featureEvents = new FeatureEvents(store, feed, json, clock);
        ContextFeatures features = components.add("context features",
                new ContextFeatures(config, store, counter, featureEvents, clock, json));
        Accountant accountant = components.add("accountant", new Accountant(store, sessions, counter, feed,
                new ContextAlerts(config.thresholds(), store, feed, clock), metrics,
                new FeatureOutcomes(store, featureEvents, features.compactionTrigger()), server.accounting()));
        LogWatcher logWatcher = components.add("log watcher",
                new LogWatcher(config.logs(), clock, json, new LogRecords(sessions, accountant, config)));
        RateLimiter rateLimiter = new RateLimiter(config, clock);
        IncomingEvents incoming = new IncomingEvents(json, clock);
        ConvergenceMeters convergenceMeters = new ConvergenceMeters(metrics.registry(), store.convergenceFigures());
        ConvergenceIngest convergenceIngest = components.add("convergence ingest",
                new ConvergenceIngest(store, store, store, feed, metrics, convergenceMeters, json));
        Supplier<BridgeStatus> bridgeStatus = ConvergenceSource.start(config.convergence(), incoming,
                convergenceIngest, clock, json, components);
        convergenceMeters.bridge(bridgeStatus);
        // Made before the event loops so it closes after them: what their last exchanges hand it still runs.
        Executor blocking = components.add("blocking pool", new BlockingPool(server.blockingThreads())).executor();
        EventLoops loops = components.add("event loops", new EventLoops(server.ioThreads()));
        SecretScrubber secrets = SecretScrubber.of(config);
        metrics.secretsRedacted(secrets);
        // Upstream pools close on their event loops, so before those stop.
        ChatProxy proxy = components.add("upstream connections", new ChatProxy(ProxyOptions.defaults(
                UUID.randomUUID().toString()).withTranscriptLimit(server.maxAccountedReplyBytes()), secrets));
        ChatCompletions completions = new ChatCompletions(new ModelRouter(config), sessions, counter,
                accountant, rateLimiter, features.chain(), clock, json);
        // Closed after the live clients' goodbye, before the event loops stop: every accepted connection is closed.
        OpenConnections connections = components.add("open connections", new OpenConnections(Duration.ofSeconds(5)));
        // Made before the live clients so it closes after them: their queues hold its shared frames.
        SharedFrames sharedFrames = components.add("shared frames", new SharedFrames(ByteBufAllocator.DEFAULT));
        LiveClients liveClients = components.add("live clients",
                new LiveClients(hub, new OutboundBudget(server.wsOutboundLimitBytes())));
        components.add("live clients' goodbye", () -> liveClients.goAway("server stopping", Duration.ofSeconds(2)));
        metrics.webSocket(liveClients);
        DirectMemoryProbe directMemory = new DirectMemoryProbe(ByteBufAllocator.DEFAULT);
        directMemory.bindTo(metrics.registry());
        SessionDeletion deletion = new SessionDeletion(store, sessions, accountant, features, convergenceIngest,
                Duration.ofSeconds(10));
        RestApi rest = new RestApi(store, sessions, deletion, config, views, clock, rateLimiter, bridgeStatus,
                features, logWatcher, new ResourceHealth(liveClients, directMemory));
        OriginPolicy origins = new OriginPolicy(server.host(), server.allowedOrigins());
        WebSocketUpgrade webSockets = new WebSocketUpgrade(liveClients, sharedFrames,
                new LiveProtocol(store, accountant, views, clock, blocking), origins, server.wsMaxFrameBytes(),
                server.wsQueueLimit(), server.wsIdleTimeout());
        Routes routes = rest.addTo(new Routes(ConsistentRead.of(accountant::sync)));
        new MetricsApi(store, store, views, metrics, clock, bridgeStatus).addTo(routes);
        new EventsApi(incoming, convergenceIngest, views).addTo(routes);
        new ExportApi(store, views, clock).addTo(routes);
        new WidgetsApi(widgets, views).addTo(routes);
        new FeaturesApi(features, store, store, sessions, views).addTo(routes);
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        widgets.loadFromClasspath(loader != null ? loader : KimiServer.class.getClassLoader());
        BrowserGuard guard = new BrowserGuard(new HostPolicy(server.host(), server.allowedHosts()), origins);
        Dispatcher dispatcher = new Dispatcher(new Auth(accessToken), guard,
                new ProxyHandler(completions, proxy, blocking), routes, blocking, config, views, webSockets);
        ConnectionLimiter limiter = new ConnectionLimiter(server.connections(), metrics::connectionRefused);
        metrics.httpConnections(limiter::open);
        limiter.warnIfOverFileLimit(ConnectionLimiter.fileLimit());
        listener = components.add("listening socket", HttpListener.bind(loops, server.host(), server.port(),
                new ServerInitializer(connections, limiter, server.connections(), metrics::requestTimedOut,
                        new PipelinedRequests.Overflows(metrics::pipelineOverflowed), server.maxBodyBytes(),
                        dispatcher)));
        features.chatReady(new InProcessChat(completions, proxy, loops.group(), blocking, json));
        logWatcher.start();
    }

    /** The bound port (useful when configured as 0). */
    public int port() {
        synchronized (lifecycle) {
            if (listener == null) {
                throw new IllegalStateException("not started");
            }
            return listener.port();
        }
    }

    /** e.g. {@code http://127.0.0.1:8766}. */
    public URI baseUri() {
        return ServerUris.http(config.server().host(), port());
    }

    /**
     * The store of the running server, for tests in this package that must reach behind the HTTP API (e.g. hold
     * the SQLite writer to make recording fall behind).
     */
    Store store() {
        synchronized (lifecycle) {
            if (store == null) {
                throw new IllegalStateException("not started");
            }
            return store;
        }
    }

    /** Stops the server; a part that fails to close is logged (with the others' failures) and the rest still close. */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            try {
                components.close();
                log.info("Kimi Dashboard stopped");
            } catch (KimiException e) {
                log.warn("Kimi Dashboard stopped, but not cleanly: {}", e.getMessage(), e);
            }
        }
    }
}
