package io.kimi.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.config.ConfigLoader;
import io.kimi.config.ConfigOverrides;
import io.kimi.config.KimiConfig;
import io.kimi.testing.FakeUpstream;
import io.kimi.testing.Reply;
import io.kimi.testing.Usage;
import io.kimi.testing.UsageStyle;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The attack: providers echo configured secrets (their own key, another provider's key, the access token, an MCP
 * token, a credential header) in every field of their errors, in unknown and nested fields, in an error event in
 * the middle of a stream, in the headers and the body of 2xx replies. Then everything an outsider can read is
 * scanned for those secrets: the replies to the client (body and headers), the SQLite file and its WAL, the REST
 * views and exports, the WebSocket {@code init} and live messages, {@code /metrics} and the log output (at debug).
 */
class SecretLeakEndToEndTest {
    private static final String ALPHA_CORE = "7f3a9c2e1b8d4f60";
    private static final String BETA_CORE = "5e1d9a7c3b0f28d6";
    private static final String AUTH_CORE = "0c4b8e2a6f1d9735";
    private static final String MCP_CORE = "93ad7e1f5c2b8064";
    private static final String HEADER_CORE = "5b7d9f1e3a2c4860";
    static final String ALPHA_KEY = "sk-alpha-" + ALPHA_CORE + "Qz";
    /** With '/', '+' and '=', so its URL- and JSON-escaped forms differ from it. */
    static final String BETA_KEY = "bk-beta/+" + BETA_CORE + "=/Rw";
    static final String AUTH_TOKEN = "kimi-auth-" + AUTH_CORE;
    static final String MCP_TOKEN = "mcp-tok-" + MCP_CORE;
    static final String HEADER_SECRET = "hdr-" + HEADER_CORE;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private FakeUpstream alpha;
    private FakeUpstream beta;
    private KimiServer server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    private final Logger kimi = (Logger) LoggerFactory.getLogger("io.kimi");
    private Level kimiLevel;

    @BeforeEach
    void start() throws IOException {
        kimiLevel = kimi.getLevel();
        kimi.setLevel(Level.DEBUG);
        logs.start();
        root.addAppender(logs);
        alpha = FakeUpstream.start();
        beta = FakeUpstream.start();
        String toml = String.join("\n",
                "[server]",
                "host = \"127.0.0.1\"",
                "port = 0",
                "db_path = \"" + slashes(dir.resolve("dashboard.db")) + "\"",
                "auth_token = \"${KIMI_AUTH_TOKEN}\"",
                "",
                "[providers.alpha]",
                "type = \"kimi\"",
                "base_url = \"" + alpha.baseUrl() + "\"",
                "api_key = \"${ALPHA_KEY}\"",
                "max_retries = 0",
                "read_timeout_ms = 5000",
                "[providers.alpha.headers]",
                "X-Api-Key = \"${ALPHA_HEADER_SECRET}\"",
                "",
                "[providers.beta]",
                "type = \"openai-compatible\"",
                "base_url = \"" + beta.baseUrl() + "\"",
                "api_key = \"${BETA_KEY}\"",
                "max_retries = 0",
                "",
                "[models.a]",
                "provider = \"alpha\"",
                "context_window = 128000",
                "",
                "[models.b]",
                "provider = \"beta\"",
                "context_window = 128000",
                "",
                "[mcp]",
                "workspace = \"" + slashes(dir) + "\"",
                "[mcp.servers.memory]",
                "url = \"http://127.0.0.1:9/mcp\"",
                "auth_token = \"${MCP_MEMORY_TOKEN}\"",
                "",
                "[convergence]",
                "url = \"off\"",
                "");
        Path file = dir.resolve("config.toml");
        Files.writeString(file, toml);
        Map<String, String> env = Map.of("ALPHA_KEY", ALPHA_KEY, "BETA_KEY", BETA_KEY, "KIMI_AUTH_TOKEN", AUTH_TOKEN,
                "MCP_MEMORY_TOKEN", MCP_TOKEN, "ALPHA_HEADER_SECRET", HEADER_SECRET);
        KimiConfig config = new ConfigLoader(env).load(new ConfigOverrides(file, null, null, null));
        server = KimiServer.builder().config(config).build().start();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        alpha.close();
        beta.close();
        root.detachAppender(logs);
        kimi.setLevel(kimiLevel);
    }

    @Test
    void noSecretAProviderEchoesReachesTheClientTheDatabaseTheViewsTheMetricsOrTheLogs() throws Exception {
        LeakScan scan = new LeakScan(Map.of("alpha key", ALPHA_CORE, "beta key", BETA_CORE,
                "access token", AUTH_CORE, "mcp token", MCP_CORE, "alpha header", HEADER_CORE));
        List<Attack> attacks = attacks();
        List<JsonNode> live = new ArrayList<>();
        try (WsTestClient before = WsTestClient.connect(ws())) {
            for (Attack attack : attacks) {
                HttpResponse<String> reply = chat(attack.model(), attack.stream());
                assertThat(reply.statusCode()).as(attack.name()).isEqualTo(attack.expectedStatus());
                scan.scan("client reply body", reply.body());
                scan.scan("client reply headers", reply.headers().map().toString());
            }
            live.addAll(liveMessagesUntilMetrics(before, attacks.size()));
        }
        live.forEach(m -> scan.scan("websocket live", m.toString()));

        JsonNode sessions = json(get("/api/sessions?limit=100"));
        scan.scan("rest /api/sessions", sessions.toString());
        scan.scan("rest /api/sessions/active", get("/api/sessions/active").body());
        for (JsonNode s : sessions.path("sessions")) {
            String id = s.path("session_id").asText();
            scan.scan("rest /api/sessions/{id}", get("/api/sessions/" + id).body());
            scan.scan("rest /api/sessions/{id}/events", get("/api/sessions/" + id + "/events?limit=1000").body());
            scan.scan("rest /api/sessions/{id}/metrics", get("/api/sessions/" + id + "/metrics").body());
            scan.scan("export json (session)", get("/api/export/json?session_id=" + id).body());
            scan.scan("export csv (session)", get("/api/export/csv?session_id=" + id).body());
        }
        scan.scan("export csv", get("/api/export/csv").body());
        scan.scan("export json", get("/api/export/json").body());
        scan.scan("rest /api/metrics", get("/api/metrics").body());
        scan.scan("rest /api/providers", get("/api/providers").body());
        scan.scan("rest /health", get("/health").body());
        scan.scan("/metrics", get("/metrics").body());
        String init;
        try (WsTestClient after = WsTestClient.connect(ws())) {
            init = after.next("init").toString();
        }
        scan.scan("websocket init", init);
        // The reads above waited for the accountant and the store's writer: the rows are in the WAL now.
        String database = fileText("dashboard.db") + fileText("dashboard.db-wal");
        scan.scan("sqlite db+wal (open)", database);
        server.close();
        server = null;
        scan.scan("sqlite db+wal (closed)", fileText("dashboard.db") + fileText("dashboard.db-wal"));
        StringBuilder log = new StringBuilder();
        int logLines;
        synchronized (logs) {
            logLines = logs.list.size();
            for (ILoggingEvent e : logs.list) {
                log.append(e.getFormattedMessage()).append('\n');
                if (e.getThrowableProxy() != null) {
                    log.append(ThrowableProxyUtil.asString(e.getThrowableProxy())).append('\n');
                }
            }
        }
        scan.scan("logs", log.toString());

        System.out.println("[SecretLeakEndToEndTest] " + attacks.size() + " attacks, " + logLines + " log lines, "
                + scan);
        assertThat(scan.total()).as(scan.toString()).isZero();
        // What was scanned held the replies, with the secrets replaced:
        assertThat(init).contains("[REDACTED]").contains("Provider 'alpha' answered 401");
        assertThat(database).contains("[REDACTED]").contains("Provider 'beta' answered 400");
        assertThat(log).contains("Provider 'alpha' sent a configured secret back");
    }

    @Test
    void scrubbedRepliesKeepTheirStatusFormatAndHarmlessHeaders() throws Exception {
        alpha.enqueue(Reply.json(401, "{\"error\":{\"message\":\"Incorrect API key provided: " + ALPHA_KEY
                + "\",\"type\":\"" + ALPHA_KEY + "\",\"code\":\"" + ALPHA_KEY + "\",\"param\":null}}")
                .header("Retry-After", ALPHA_KEY));
        alpha.enqueue(Reply.chatCompletion("fine", 10, 2).header("X-Echo-Authorization", "Bearer " + ALPHA_KEY)
                .header("X-Safe", "kept"));
        alpha.enqueue(Reply.sse(List.of(chunk("Hel"), streamError("stream broke for " + ALPHA_KEY))));

        HttpResponse<String> error = chat("a", false);
        HttpResponse<String> ok = chat("a", false);
        HttpResponse<String> stream = chat("a", true);

        assertThat(error.statusCode()).isEqualTo(401);
        assertThat(error.headers().firstValue("retry-after")).isEmpty();
        JsonNode e = json(error).path("error");
        assertThat(e.path("message").asText()).isEqualTo("Provider 'alpha' answered 401: Incorrect API key provided: "
                + "[REDACTED] (check the API key configured for provider 'alpha')");
        assertThat(e.path("type").asText()).isEqualTo("[REDACTED]");
        assertThat(e.path("code").asText()).isEqualTo("[REDACTED]");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("x-safe")).hasValue("kept");
        assertThat(ok.headers().firstValue("x-echo-authorization")).isEmpty();
        assertThat(json(ok).path("choices").get(0).path("message").path("content").asText()).isEqualTo("fine");
        assertThat(stream.body()).contains("\"content\":\"Hel\"").contains("stream broke for [REDACTED]")
                .endsWith("data: [DONE]\n\n");
        String metrics = get("/metrics").body();
        assertThat(metrics).contains("kimi_proxy_errors_total{type=\"other\"} 1.0");
        assertThat(metrics).containsPattern("kimi_proxy_secrets_redacted_total [1-9]");
    }

    // ---- the attacks ----

    private record Attack(String name, String model, boolean stream, int expectedStatus) {
    }

    /** Queues the attack replies; the other provider's come first, so the active session holds alpha's. */
    private List<Attack> attacks() {
        String betaUrl = URLEncoder.encode(BETA_KEY, StandardCharsets.UTF_8);
        String betaJson = BETA_KEY.replace("/", "\\/");
        List<Attack> a = new ArrayList<>();
        beta.enqueue(Reply.json(401, "{\"error\":{\"message\":\"invalid key " + betaUrl + " (" + BETA_KEY + ")\","
                + "\"type\":\"invalid_request_error\",\"code\":\"" + BETA_KEY + "\"}}"));
        a.add(new Attack("key URL-encoded and raw", "b", false, 401));
        beta.enqueue(Reply.json(400, "{\"error\":{\"message\":\"your other key " + ALPHA_KEY + " and token "
                + AUTH_TOKEN + "\",\"code\":\"" + MCP_TOKEN + "\"}}"));
        a.add(new Attack("other secrets in another provider's error", "b", false, 400));
        beta.enqueue(Reply.json(200, "{\"id\":\"c1\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,"
                + "\"message\":{\"role\":\"assistant\",\"content\":\"your key is " + betaJson + "\"},"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":4}}")
                .header("X-Request-Key", BETA_KEY));
        a.add(new Attack("2xx body and header with the key", "b", false, 200));
        alpha.enqueue(Reply.json(401, "{\"error\":{\"message\":\"Incorrect API key provided: Bearer " + ALPHA_KEY
                + "\",\"type\":\"" + ALPHA_KEY + "\",\"code\":\"" + ALPHA_KEY + "\",\"param\":\"" + ALPHA_KEY
                + "\"}}"));
        a.add(new Attack("key in message, type, code and param", "a", false, 401));
        alpha.enqueue(Reply.json(400, "{\"error\":{\"message\":\"bad\",\"type\":{\"echo\":\"" + ALPHA_KEY
                + "\"},\"code\":[\"" + ALPHA_KEY + "\"],\"param\":{\"auth\":\"" + AUTH_TOKEN + "\"},"
                + "\"details\":{\"key\":\"" + ALPHA_KEY + "\"},\"" + ALPHA_KEY + "\":\"unknown field\"}}"));
        a.add(new Attack("key in nested and unknown fields", "a", false, 400));
        alpha.enqueue(Reply.json(429, "{\"error\":{\"message\":\"slow down, " + MCP_TOKEN + "\"}}")
                .header("Retry-After", ALPHA_KEY));
        a.add(new Attack("MCP token in a 429, key in Retry-After", "a", false, 429));
        alpha.enqueue(Reply.json(500, "proxy debug: Authorization: Bearer " + ALPHA_KEY + " x-api-key: "
                + HEADER_SECRET).header("Content-Type", "text/plain"));
        a.add(new Attack("key and header secret in a text body", "a", false, 502));
        alpha.enqueue(Reply.json(403, "[{\"error\":{\"code\":403,\"message\":\"API key " + betaJson
                + " not valid\",\"status\":\"PERMISSION_DENIED\"}}]"));
        a.add(new Attack("other provider's key, JSON-escaped, in a Gemini-style array", "a", false, 403));
        alpha.enqueue(Reply.sse(List.of(chunk("Hel"), streamError("stream broke for " + ALPHA_KEY))));
        a.add(new Attack("error event in the middle of a stream", "a", true, 200));
        alpha.enqueue(Reply.chatCompletion("fine", 10, 2).header("X-Echo-Authorization", "Bearer " + ALPHA_KEY)
                .header("X-Debug", "key=" + BETA_KEY).header("X-Token", AUTH_TOKEN).header("X-Safe", "kept"));
        a.add(new Attack("2xx headers echo the Authorization value and other secrets", "a", false, 200));
        alpha.enqueue(Reply.streamingCompletion(List.of("echo ", ALPHA_KEY), Usage.of(10, 2), UsageStyle.MOONSHOT)
                .header("Authorization", "Bearer " + ALPHA_KEY));
        a.add(new Attack("2xx stream with an Authorization header and the key in its text", "a", true, 200));
        return a;
    }

    private static String chunk(String content) {
        return "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":"
                + "{\"content\":\"" + content + "\"}}]}";
    }

    private static String streamError(String message) {
        return "{\"error\":{\"message\":\"" + message + "\",\"type\":\"" + ALPHA_KEY + "\",\"code\":\"" + ALPHA_KEY
                + "\",\"param\":\"" + BETA_KEY + "\",\"meta\":{\"raw\":\"" + AUTH_TOKEN + "\"}}}";
    }

    // ---- reading what an outsider can read ----

    private List<JsonNode> liveMessagesUntilMetrics(WsTestClient client, int metrics) {
        List<JsonNode> seen = new ArrayList<>();
        AtomicInteger metricCount = new AtomicInteger();
        await(metrics + " metric messages").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(10))
                .until(() -> {
                    JsonNode m;
                    while (metricCount.get() < metrics && (m = client.messages.poll()) != null) {
                        seen.add(m);
                        if (m.path("type").asText().equals("metric")) {
                            metricCount.incrementAndGet();
                        }
                    }
                    return metricCount.get() == metrics;
                });
        return seen;
    }

    private HttpResponse<String> chat(String model, boolean stream) {
        String body = "{\"model\":\"" + model + "\",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}]}";
        return send(HttpRequest.newBuilder(uri("/v1/chat/completions")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private HttpResponse<String> get(String path) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri(path)).GET());
        assertThat(r.statusCode()).as("GET " + path).isEqualTo(200);
        return r;
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.header("Authorization", "Bearer " + AUTH_TOKEN)
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private URI uri(String path) {
        return URI.create(server.baseUri() + path);
    }

    private URI ws() {
        return URI.create("ws://127.0.0.1:" + server.port() + "/ws?token=" + AUTH_TOKEN);
    }

    private static JsonNode json(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body());
    }

    private String fileText(String name) throws IOException {
        Path file = dir.resolve(name);
        return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1) : "";
    }

    private static String slashes(Path p) {
        return p.toString().replace("\\", "/");
    }
}
