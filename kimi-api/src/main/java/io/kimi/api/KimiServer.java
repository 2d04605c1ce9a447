package io.kimi.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.config.ConfigException;
import io.kimi.config.ConfigLoader;
import io.kimi.config.ConfigOverrides;
import io.kimi.config.ConvergenceConfig;
import io.kimi.config.KimiConfig;
import io.kimi.config.ServerConfig;
import io.kimi.core.KimiException;
import io.kimi.core.hub.EventHub;
import io.kimi.core.store.Store;
import io.kimi.core.store.sqlite.SqliteStore;
import io.kimi.core.tokens.TokenCounter;
import io.kimi.features.logs.LogWatcher;
import io.kimi.proxy.ChatProxy;
import io.kimi.proxy.ModelRouter;
import io.kimi.proxy.ProxyOptions;
import io.kimi.proxy.SecretScrubber;
import io.kimi.services.Accountant;
import io.kimi.services.ChatCompletions;
import io.kimi.services.ContextAlerts;
import io.kimi.services.JsonViews;
import io.kimi.services.LiveFeed;
import io.kimi.services.ProxySessions;
import io.kimi.services.RateLimiter;
import io.kimi.services.convergence.BridgeStatus;
import io.kimi.services.convergence.ConvergenceBridge;
import io.kimi.services.convergence.ConvergenceIngest;
import io.kimi.services.convergence.ConvergenceMeters;
import io.kimi.services.convergence.IncomingEvents;
import io.kimi.services.convergence.MockLoop;
import io.kimi.services.convergence.SimulatedLoop;
import io.kimi.services.features.ContextFeatures;
import io.kimi.services.features.FeatureEvents;
import io.kimi.services.features.FeatureOutcomes;
import io.kimi.services.features.LogRecords;
import io.kimi.services.live.LiveClients;
import io.kimi.services.live.LiveProtocol;
import io.kimi.services.live.OutboundBudget;
import io.kimi.services.metrics.DirectMemoryProbe;
import io.kimi.services.metrics.ServerMetrics;
import io.kimi.services.widgets.WidgetRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole server, embeddable: an OpenAI-compatible proxy at {@code /chat/completions} and {@code /models}
 * (also under {@code /v1}) that counts every request into sessions stored in SQLite, and the dashboard's REST
 * API. {@code KimiServer.builder().port(0).build().start()} starts one on a free loopback port.
 *
 * <p>Start it once; {@link #close()} stops accepting, ends open exchanges, records every finished request and
 * closes the database. Thread-safe.
 */
public final class KimiServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KimiServer.class);

    private final KimiConfig config;
    private final Clock clock;
    private final Object lifecycle = new Object();
    private final EventHub hub = new EventHub();
    private final WidgetRegistry widgets = new WidgetRegistry(hub, new ObjectMapper());
    private EventLoopGroup group;
    private ThreadPoolExecutor blocking;
    private Store store;
    private Accountant accountant;
    private ContextFeatures features;
    private LogWatcher logWatcher;
    private ChatProxy proxy;
    private Channel serverChannel;
    private LiveClients liveClients;
    private ConvergenceIngest convergenceIngest;
    private ConvergenceBridge bridge;
    private MockLoop mockLoop;
    private ServerMetrics metrics;
    private boolean started;
    private boolean closed;

    private KimiServer(KimiConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The live message hub: subscribe to see every event, metric, session change and alert as it happens. */
    public EventHub hub() {
        return hub;
    }

    /**
     * The dashboard's widgets: {@code server.widgets().register("custom_chart", StepChart::new)}. Those listed in
     * {@code META-INF/services/io.kimi.services.widgets.WidgetProvider} on the classpath are added at start.
     */
    public WidgetRegistry widgets() {
        return widgets;
    }

    /**
     * Starts a server as seed 002's {@code start_server(host, port, convergence_ws_url, db_path)} does. A
     * {@code null} argument takes its value from the environment ({@code DASHBOARD_HOST}, {@code DASHBOARD_PORT},
     * {@code CONVERGENCE_WS_URL}, {@code DASHBOARD_DB_PATH}), then the config file, then the defaults
     * ({@code 127.0.0.1}, 8766, {@code ws://localhost:8765}, {@code ./dashboard.db}).
     *
     * @param port 0-65535 (0 picks a free port), or {@code null}
     * @param convergenceWsUrl the loop's WebSocket, {@code "off"} for none, or {@code null}
     */
    public static KimiServer start(String host, Integer port, String convergenceWsUrl, Path dbPath) {
        Builder b = builder();
        if (host != null) {
            b.host(host);
        }
        if (port != null) {
            b.port(port);
        }
        if (convergenceWsUrl != null) {
            b.convergenceUrl(convergenceWsUrl);
        }
        if (dbPath != null) {
            b.dbPath(dbPath);
        }
        return b.build().start();
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
            String accessToken = checkAuth(server);
            Auth auth = new Auth(accessToken);
            try {
                store = SqliteStore.open(server.dbPath(), clock);
                metrics = new ServerMetrics();
                metrics.requestsInterrupted(store.interruptedAtOpen());
                TokenCounter counter = new TokenCounter(64L << 20);
                ObjectMapper json = new ObjectMapper();
                JsonViews views = new JsonViews(json, config);
                LiveFeed feed = new LiveFeed(hub, views);
                ProxySessions sessions = ProxySessions.load(store, config, clock, feed);
                FeatureEvents featureEvents = new FeatureEvents(store, feed, json, clock);
                features = new ContextFeatures(config, store, counter, featureEvents, clock);
                accountant = new Accountant(store, sessions, counter, feed,
                        new ContextAlerts(config.thresholds(), store, feed, clock), metrics,
                        new FeatureOutcomes(store, featureEvents, features.compactionTrigger()), server.accounting());
                logWatcher = new LogWatcher(config.logs(), clock, new LogRecords(sessions, accountant, config));
                RateLimiter rateLimiter = new RateLimiter(config, clock);
                SecretScrubber secrets = SecretScrubber.of(config);
                metrics.secretsRedacted(secrets);
                proxy = new ChatProxy(ProxyOptions.defaults(UUID.randomUUID().toString())
                        .withTranscriptLimit(server.maxAccountedReplyBytes()), secrets);
                blocking = blockingPool(server.blockingThreads());
                ChatCompletions completions = new ChatCompletions(new ModelRouter(config), sessions, counter,
                        accountant, rateLimiter, features.chain(), clock);
                IncomingEvents incoming = new IncomingEvents(json, clock);
                ConvergenceMeters convergenceMeters = new ConvergenceMeters(metrics.registry(),
                        store.convergenceFigures());
                convergenceIngest = new ConvergenceIngest(store, feed, metrics, convergenceMeters, json);
                Supplier<BridgeStatus> bridgeStatus = startConvergence(incoming);
                convergenceMeters.bridge(bridgeStatus);
                liveClients = new LiveClients(hub, new OutboundBudget(server.wsOutboundLimitBytes()));
                metrics.webSocket(liveClients);
                DirectMemoryProbe directMemory = new DirectMemoryProbe(ByteBufAllocator.DEFAULT);
                directMemory.bindTo(metrics.registry());
                RestApi rest = new RestApi(store, sessions, accountant, config, views, clock, rateLimiter,
                        convergenceIngest, bridgeStatus, features, logWatcher,
                        new ResourceHealth(liveClients, directMemory));
                OriginPolicy origins = new OriginPolicy(server.host(), server.allowedOrigins());
                WebSocketUpgrade webSockets = new WebSocketUpgrade(liveClients,
                        new LiveProtocol(store, accountant, views, clock, blocking), origins, server.wsMaxFrameBytes(),
                        server.wsQueueLimit(), server.wsIdleTimeout());
                Routes routes = rest.routes();
                new MetricsApi(store, accountant, views, metrics, clock, bridgeStatus).addTo(routes);
                new EventsApi(incoming, convergenceIngest, views).addTo(routes);
                new ExportApi(store, accountant, views, clock).addTo(routes);
                new WidgetsApi(widgets, views).addTo(routes);
                new FeaturesApi(features, store, accountant, sessions, views).addTo(routes);
                ClassLoader loader = Thread.currentThread().getContextClassLoader();
                widgets.loadFromClasspath(loader != null ? loader : KimiServer.class.getClassLoader());
                BrowserGuard guard = new BrowserGuard(new HostPolicy(server.host(), server.allowedHosts()), origins);
                Dispatcher dispatcher = new Dispatcher(auth, guard, new ProxyHandler(completions, proxy, blocking),
                        routes, blocking, config, views, webSockets);
                ConnectionLimiter limiter = new ConnectionLimiter(server.connections(), metrics::connectionRefused);
                metrics.httpConnections(limiter::open);
                limiter.warnIfOverFileLimit(ConnectionLimiter.fileLimit());
                group = new MultiThreadIoEventLoopGroup(eventLoops(server.ioThreads()), NioIoHandler.newFactory());
                serverChannel = new ServerBootstrap()
                        .group(group)
                        .channel(NioServerSocketChannel.class)
                        .option(ChannelOption.SO_BACKLOG, 1024)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 << 10, 256 << 10))
                        .childHandler(new ServerInitializer(limiter, server.connections(), metrics::requestTimedOut,
                                new PipelinedRequests.Overflows(metrics::pipelineOverflowed), server.maxBodyBytes(),
                                dispatcher))
                        .bind(server.host(), server.port())
                        .syncUninterruptibly()
                        .channel();
                features.proxyStarted(baseUriOf(serverChannel), accessToken);
                logWatcher.start();
            } catch (Exception e) { // also Netty's undeclared BindException
                shutdown();
                if (e instanceof KimiException) {
                    throw (KimiException) e;
                }
                throw new KimiException("Could not start on " + server.host() + ":" + server.port() + ": "
                        + e.getMessage(), e);
            }
            log.info("Kimi Dashboard listening on {} (database {}, config {})", baseUri(), server.dbPath(),
                    config.source());
            if (isWildcard(server.host()) && server.allowedHosts().isEmpty()) {
                log.warn("Bound to {} with no server.allowed_hosts: only requests for loopback names (localhost, "
                        + "127.0.0.1) are answered; list the names or addresses clients use in allowed_hosts, "
                        + "or [\"*\"] for any", server.host());
            }
            return this;
        }
    }

    /** The bound port (useful when configured as 0). */
    public int port() {
        synchronized (lifecycle) {
            if (serverChannel == null) {
                throw new IllegalStateException("not started");
            }
            return ((InetSocketAddress) serverChannel.localAddress()).getPort();
        }
    }

    /** e.g. {@code http://127.0.0.1:8766}. */
    public URI baseUri() {
        String host = config.server().host();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port());
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

    private static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
    }

    /** Where this server's own proxy is reachable from inside (loopback when bound to every interface). */
    private URI baseUriOf(Channel channel) {
        String host = config.server().host();
        if (isWildcard(host)) {
            host = "127.0.0.1";
        }
        int port = ((InetSocketAddress) channel.localAddress()).getPort();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port);
    }

    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            shutdown();
            log.info("Kimi Dashboard stopped");
        }
    }

    private void shutdown() {
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        widgets.close();
        if (liveClients != null) {
            liveClients.goAway("server stopping", Duration.ofSeconds(2));
            try {
                liveClients.close();
            } catch (Exception e) {
                log.warn("Closing the live clients failed", e);
            }
        }
        if (proxy != null) {
            // Upstream pools close on their event loops, so before those stop.
            proxy.close();
        }
        if (group != null) {
            // Closing the client channels cancels open exchanges; their records reach the accountant.
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
        if (blocking != null) {
            blocking.shutdown();
            try {
                blocking.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (bridge != null) {
            bridge.close();
        }
        if (mockLoop != null) {
            mockLoop.close();
        }
        if (convergenceIngest != null) {
            convergenceIngest.close();
        }
        if (logWatcher != null) {
            logWatcher.close();
        }
        if (features != null) {
            features.close();
        }
        if (accountant != null) {
            accountant.close();
        }
        if (store != null) {
            store.close();
        }
        if (metrics != null) {
            metrics.close();
        }
    }

    /** Starts the convergence bridge, or the simulated loop, as configured; returns where to read its state. */
    private Supplier<BridgeStatus> startConvergence(IncomingEvents incoming) {
        ConvergenceConfig c = config.convergence();
        if (c.mock()) {
            mockLoop = new MockLoop(new SimulatedLoop(c.mockSeed() != null ? c.mockSeed() : System.nanoTime(), clock), incoming, convergenceIngest,
                    c.mockInterval());
            mockLoop.start();
            return BridgeStatus::mock;
        }
        if (c.url() == null) {
            return BridgeStatus::disabled;
        }
        bridge = new ConvergenceBridge(c.url(), incoming, convergenceIngest, c.reconnectMax(), c.livenessTimeout(),
                clock);
        bridge.start();
        return bridge::status;
    }

    private static String checkAuth(ServerConfig server) {
        String token = null;
        if (server.authToken().isConfigured()) {
            if (!server.authToken().isResolved()) {
                throw new ConfigException("server", "auth_token", "an access token is configured as "
                        + server.authToken() + " but that variable is not set");
            }
            token = server.authToken().value();
        }
        if (token == null && !server.allowUnauthenticatedRemote() && !isLoopback(server.host())) {
            throw new ConfigException("server", "host", "binding to " + server.host()
                    + " exposes the proxy (and your provider keys' budget) beyond this machine: set KIMI_AUTH_TOKEN"
                    + " (clients then send it as their API key), or set allow_unauthenticated_remote = true");
        }
        return token;
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new ConfigException("server", "host", "cannot resolve '" + host + "'", e);
        }
    }

    private static ThreadPoolExecutor blockingPool(int threads) {
        int n = Math.max(1, threads);
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(n, n, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1024),
                r -> {
                    Thread t = new Thread(r, "kimi-blocking-" + count.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** Builds a {@link KimiServer}. Values not set come from the environment and config file (see README). */
    public static final class Builder {
        private KimiConfig config;
        private Path configFile;
        private String host;
        private Integer port;
        private Path dbPath;
        private String convergenceUrl;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** Uses this configuration instead of loading one; host, port and db overrides still apply. */
        public Builder config(KimiConfig value) {
            this.config = requireNonNull(value, "config");
            return this;
        }

        /** Loads this config file (else {@code KIMI_CONFIG}, {@code ./config.toml}, or the built-in defaults). */
        public Builder configFile(Path value) {
            this.configFile = requireNonNull(value, "configFile");
            return this;
        }

        public Builder host(String value) {
            this.host = requireNonNull(value, "host");
            return this;
        }

        /** 0 picks a free port. */
        public Builder port(int value) {
            if (value < 0 || value > 65535) {
                throw new IllegalArgumentException("port: " + value + " (expected: 0-65535)");
            }
            this.port = value;
            return this;
        }

        public Builder dbPath(Path value) {
            this.dbPath = requireNonNull(value, "dbPath");
            return this;
        }

        /** The convergence loop's WebSocket ({@code ws://} or {@code wss://}), or {@code "off"}. */
        public Builder convergenceUrl(String value) {
            this.convergenceUrl = requireNonNull(value, "convergenceUrl");
            return this;
        }

        public Builder clock(Clock value) {
            this.clock = requireNonNull(value, "clock");
            return this;
        }

        /** {@code off} (or empty) is no bridge, else a ws:// or wss:// URL with a host. */
        private static URI convergenceUri(String value) {
            String v = value.trim();
            if (v.isEmpty() || v.equalsIgnoreCase("off") || v.equalsIgnoreCase("none")) {
                return null;
            }
            try {
                URI url = new URI(v);
                if (url.getHost() != null && ("ws".equalsIgnoreCase(url.getScheme())
                        || "wss".equalsIgnoreCase(url.getScheme()))) {
                    return url;
                }
            } catch (URISyntaxException e) {
                // reported below
            }
            throw new ConfigException("convergence", "url", "expected a ws:// or wss:// URL with a host (or \"off\"), "
                    + "got \"" + value + "\"");
        }

        public KimiServer build() {
            KimiConfig base = config != null ? config
                    : new ConfigLoader(System.getenv()).load(new ConfigOverrides(configFile, host, port, dbPath,
                            convergenceUrl, null));
            if (config != null && convergenceUrl != null) {
                base = base.withConvergence(base.convergence().withUrl(convergenceUri(convergenceUrl)));
            }
            return new KimiServer(base.withServer(base.server().withBinding(host, port, dbPath)), clock);
        }
    }

    /**
     * The event loops to start: {@code io_threads}, or one per core when it is 0. (Netty itself would read 0
     * as two per core, which on a small machine only adds threads competing for the same cores.)
     */
    static int eventLoops(int ioThreads) {
        return ioThreads > 0 ? ioThreads : Runtime.getRuntime().availableProcessors();
    }
}
