package io.kimi.api.testing;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.api.KimiServer;
import io.kimi.config.ConfigLoader;
import io.kimi.config.ConfigOverrides;
import io.kimi.config.KimiConfig;
import io.kimi.testing.FakeUpstream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The one test harness for a real dashboard: a {@link KimiServer} on 127.0.0.1 (port 0 unless told), its SQLite
 * file in a temporary folder of its own, configured through a real TOML file whose providers point at two
 * {@link FakeUpstream}s the extension owns ({@link #fake()}, {@link #other()}), plus a plain HTTP client for it.
 *
 * <p>Register it on a field: {@code @RegisterExtension final KimiServerExtension server = new
 * KimiServerExtension();} starts a fresh server, fakes and database before each test and closes them after it; on
 * a {@code static} field it does so once for the class. {@code @ExtendWith(KimiServerExtension.class)} with a
 * {@code KimiServerExtension} or {@link KimiServer} test parameter gives the defaults. {@link Settings} change the
 * configuration ({@code [server]} keys, provider keys, more sections, the clock, the port); {@link #manualStart()}
 * leaves starting to the test, {@link #restart(UnaryOperator)} replaces the server mid-test.
 *
 * <p>Catalog: provider "fake" (type kimi, {@link #fake()}), "other" (openai-compatible, {@link #other()}),
 * "nokey" (its key variable unset). Models: "kimi-k2" (fake, upstream "kimi-k2-0905-preview", 262144 tokens,
 * $0.60/$2.50/$0.15 per million), "tiny" (fake, a 60-token window), "other-model" (other), "keyless" (nokey).
 * The convergence bridge is off unless {@link Settings#convergenceToml(String)} says otherwise.
 */
public final class KimiServerExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback, ParameterResolver {
    /** The providers' API key (through {@code ${FAKE_API_KEY}}); also usable as {@code auth_token}. */
    public static final String API_KEY = "sk-test-secret-key-0123456789abcdef";
    public static final ObjectMapper JSON = new ObjectMapper();
    /**
     * A hang guard, not a speed target: a passing request never waits for it. 20 s (the old harnesses' value) cut
     * off {@code GET /api/sessions/active} after a 24 MiB relay and after a held accounting writer was released
     * when five builds shared two cores (load average 47 to 68).
     */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    /** Replaced when the server restarts on the same port: its pooled connections went to the stopped one. */
    private HttpClient http = newClient();
    private Settings settings;
    private boolean classScoped;
    private Path dir;
    private FakeUpstream fake;
    private FakeUpstream other;
    private KimiServer server;
    private int configs;
    private int lastPort;

    public KimiServerExtension() {
        this(Settings.defaults());
    }

    public KimiServerExtension(Settings settings) {
        this.settings = settings;
    }

    /** What the next start uses. */
    public Settings settings() {
        return settings;
    }

    /** Extra {@code [server]} keys (TOML lines). */
    public KimiServerExtension serverToml(String toml) {
        return settings(settings.serverToml(toml));
    }

    /** Extra keys of provider "fake" (default {@code read_timeout_ms = 5000}). */
    public KimiServerExtension providerToml(String toml) {
        return settings(settings.providerToml(toml));
    }

    /** More TOML after the catalog ({@code [features.*]}, {@code [mcp]}, {@code [logs]}, more models, ...). */
    public KimiServerExtension sectionsToml(String toml) {
        return settings(settings.sectionsToml(toml));
    }

    /** The whole {@code [convergence]} section body (default {@code url = "off"}). */
    public KimiServerExtension convergenceToml(String toml) {
        return settings(settings.convergenceToml(toml));
    }

    public KimiServerExtension clock(Clock clock) {
        return settings(settings.clock(clock));
    }

    /** A fixed port (0, the default, for any free one). */
    public KimiServerExtension port(int port) {
        return settings(settings.port(port));
    }

    /** The test starts the server itself ({@link #start()}), e.g. after scripting the fakes or with a port. */
    public KimiServerExtension manualStart() {
        return settings(settings.autoStart(false));
    }

    private KimiServerExtension settings(Settings value) {
        settings = value;
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        classScoped = heldInStaticField(context.getRequiredTestClass());
        if (classScoped) {
            open();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (classScoped) {
            shutdown();
        }
    }

    /** A static field: one server for the class; an instance field (even with a per-class lifecycle): per test. */
    private boolean heldInStaticField(Class<?> testClass) {
        for (Class<?> c = testClass; c != null; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers()) && field.getType() == KimiServerExtension.class) {
                    try {
                        field.setAccessible(true);
                        if (field.get(null) == this) {
                            return true;
                        }
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException("cannot read " + field, e);
                    }
                }
            }
        }
        return false;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (!classScoped) {
            open();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!classScoped) {
            shutdown();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == KimiServerExtension.class || type == KimiServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == KimiServer.class ? server() : this;
    }

    private void open() {
        try {
            dir = Files.createTempDirectory("kimi-server-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        fake = FakeUpstream.start();
        other = FakeUpstream.start();
        if (settings.autoStart()) {
            start();
        }
    }

    private void shutdown() {
        try {
            stop();
        } finally {
            try {
                fake.close();
                other.close();
            } finally {
                deleteRecursively(dir);
            }
        }
    }

    /** Starts the server with the current {@link #settings()}; it must not be running. */
    public KimiServerExtension start() {
        if (server != null) {
            throw new IllegalStateException("the server is already running; restart() replaces it");
        }
        server = build(settings);
        return this;
    }

    /** Closes the server (the fakes and the database stay); {@link #start()} or {@link #restart()} again. */
    public void stop() {
        KimiServer running = server;
        server = null;
        if (running != null) {
            lastPort = running.port();
            running.close();
        }
    }

    /**
     * Stops the server if running, then starts it again on the same port (the one it had last) and database. The
     * port may still be held for a moment after a close: binding is retried for up to 10 s.
     */
    public KimiServerExtension restart() {
        stop();
        http = newClient();
        if (lastPort > 0) {
            settings = settings.port(lastPort);
        }
        await("the server binds 127.0.0.1:" + settings.port() + " again").atMost(Duration.ofSeconds(10))
                .pollInSameThread().pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
                    server = build(settings);
                    return true;
                });
        return this;
    }

    /** Stops the server if running, then starts one with changed settings on the same database. */
    public KimiServerExtension restart(UnaryOperator<Settings> change) {
        stop();
        settings = change.apply(settings);
        return start();
    }

    private static HttpClient newClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** The one place a test server is built: TOML file, config loader with the fake key, builder, start. */
    private KimiServer build(Settings s) {
        String toml = String.join("\n",
                "[server]",
                s.serverToml().contains("host =") ? "" : "host = \"127.0.0.1\"",
                s.serverToml().contains("port =") ? "" : "port = 0",
                "db_path = \"" + database().toString().replace("\\", "/") + "\"",
                s.serverToml(),
                "",
                "[providers.fake]",
                "type = \"kimi\"",
                "base_url = \"" + fake.baseUrl() + "\"",
                "api_key = \"${FAKE_API_KEY}\"",
                "connect_timeout_ms = 2000",
                "max_retries = 2",
                s.providerToml(),
                "",
                "[providers.other]",
                "type = \"openai-compatible\"",
                "base_url = \"" + other.baseUrl() + "\"",
                "api_key = \"${FAKE_API_KEY}\"",
                "",
                "[providers.nokey]",
                "type = \"openai\"",
                "base_url = \"" + other.baseUrl() + "\"",
                "api_key = \"${UNSET_TEST_KEY_VARIABLE}\"",
                "",
                "[models.\"kimi-k2\"]",
                "provider = \"fake\"",
                "model = \"kimi-k2-0905-preview\"",
                "context_window = 262144",
                "input_price = 0.60",
                "output_price = 2.50",
                "cached_input_price = 0.15",
                "",
                "[models.tiny]",
                "provider = \"fake\"",
                "context_window = 60",
                "",
                "[models.\"other-model\"]",
                "provider = \"other\"",
                "context_window = 128000",
                "",
                "[models.keyless]",
                "provider = \"nokey\"",
                "context_window = 128000",
                "",
                "[convergence]",
                s.convergenceToml(),
                "",
                s.sectionsToml(),
                "");
        try {
            Path file = dir.resolve("config-" + (++configs) + ".toml");
            Files.writeString(file, toml);
            KimiConfig config = new ConfigLoader(Map.of("FAKE_API_KEY", API_KEY))
                    .load(new ConfigOverrides(file, null, null, null));
            return KimiServer.builder().config(config).clock(s.clock()).port(s.port()).build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The running server; fails if it is not running. */
    public KimiServer server() {
        if (server == null) {
            throw new IllegalStateException("the server is not running");
        }
        return server;
    }

    /** The fake upstream behind provider "fake" (models kimi-k2, tiny). */
    public FakeUpstream fake() {
        return fake;
    }

    /** The fake upstream behind providers "other" and "nokey". */
    public FakeUpstream other() {
        return other;
    }

    /** The server's own temporary folder (its database and config files live there). */
    public Path dir() {
        return dir;
    }

    public Path database() {
        return dir.resolve("dashboard.db");
    }

    public int port() {
        return server().port();
    }

    public URI baseUri() {
        return server().baseUri();
    }

    public URI uri(String path) {
        return URI.create(server().baseUri() + path);
    }

    /** The server's base URI as text, e.g. {@code http://127.0.0.1:41234} (for a client's builder). */
    public String baseUrl() {
        return server().baseUri().toString();
    }

    /** The live WebSocket's URL as text, {@code ws://127.0.0.1:<port>/ws}. */
    public String wsUrl() {
        return wsUri("/ws").toString();
    }

    /** The server's base URI followed by {@code pathAndQuery}, as text (for a browser). */
    public String url(String pathAndQuery) {
        return server().baseUri() + pathAndQuery;
    }

    /** {@code ws://127.0.0.1:<port><path>}. */
    public URI wsUri(String path) {
        return URI.create("ws://127.0.0.1:" + port() + path);
    }

    public HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    public HttpResponse<String> post(String path, String json) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public HttpResponse<String> put(String path, String json) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    public HttpResponse<String> delete(String path) {
        return send(HttpRequest.newBuilder(uri(path)).DELETE());
    }

    /** The HTTP/1.1 client the helpers use (for body handlers of a test's own). */
    public HttpClient http() {
        return http;
    }

    /** Sends with the 60 s hang guard; the body as UTF-8 text. */
    public HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(REQUEST_TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** One non-streaming chat completion through the proxy (one short user message); returns the status. */
    public int chat(String model) {
        return post("/v1/chat/completions", "{\"model\":\"" + model + "\",\"stream\":false,\"messages\":["
                + "{\"role\":\"user\",\"content\":\"Bonjour, proxy.\"}]}").statusCode();
    }

    /** Posts events (JSON objects) to {@code POST /api/events}; fails unless all are accepted or duplicates. */
    public void postEvents(List<String> events) {
        HttpResponse<String> r = post("/api/events", "[" + String.join(",", events) + "]");
        if (r.statusCode() != 200) {
            throw new AssertionError("POST /api/events: " + r.statusCode() + " " + r.body());
        }
    }

    public static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON (status " + response.statusCode() + "): " + response.body(), e);
        }
    }

    /** A chat completion request: a system and a user message, {@code extra} JSON members appended. */
    public static String chatBody(String model, boolean stream, String extra) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"system\",\"content\":\"You are terse.\"},"
                + "{\"role\":\"user\",\"content\":\"Say hello to the proxy.\"}]" + extra + "}";
    }

    /** A loopback port nobody listened on a moment ago (for "the server is down" cases). */
    public static int unusedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete the test server's folder " + root, e);
        }
    }

    /**
     * What a test server is started with.
     *
     * @param serverToml extra {@code [server]} keys
     * @param providerToml extra keys of provider "fake"
     * @param sectionsToml more TOML after the catalog and {@code [convergence]}
     * @param convergenceToml the body of {@code [convergence]}
     * @param clock the server's clock
     * @param port the port (0 for any free one)
     * @param autoStart whether the extension starts the server before the test
     */
    public record Settings(String serverToml, String providerToml, String sectionsToml, String convergenceToml,
            Clock clock, int port, boolean autoStart) {
        /** The simulated convergence loop (seed 1: its first session converges after 4 iterations). */
        public static final String MOCK_LOOP = "mock = true\nmock_interval_ms = 50\nmock_seed = 1\nurl = \"off\"";

        public static Settings defaults() {
            return new Settings("", "read_timeout_ms = 5000", "", "url = \"off\"", Clock.systemUTC(), 0, true);
        }

        public Settings serverToml(String value) {
            return new Settings(value, providerToml, sectionsToml, convergenceToml, clock, port, autoStart);
        }

        public Settings providerToml(String value) {
            return new Settings(serverToml, value, sectionsToml, convergenceToml, clock, port, autoStart);
        }

        public Settings sectionsToml(String value) {
            return new Settings(serverToml, providerToml, value, convergenceToml, clock, port, autoStart);
        }

        public Settings convergenceToml(String value) {
            return new Settings(serverToml, providerToml, sectionsToml, value, clock, port, autoStart);
        }

        public Settings clock(Clock value) {
            return new Settings(serverToml, providerToml, sectionsToml, convergenceToml, value, port, autoStart);
        }

        public Settings port(int value) {
            return new Settings(serverToml, providerToml, sectionsToml, convergenceToml, clock, value, autoStart);
        }

        public Settings autoStart(boolean value) {
            return new Settings(serverToml, providerToml, sectionsToml, convergenceToml, clock, port, value);
        }
    }
}
