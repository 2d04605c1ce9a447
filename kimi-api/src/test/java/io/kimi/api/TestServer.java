package io.kimi.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.config.ConfigLoader;
import io.kimi.config.ConfigOverrides;
import io.kimi.config.KimiConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A real {@link KimiServer} on a free loopback port with a real SQLite file, configured (through a real TOML
 * file) with providers pointing at fake upstreams; plus a plain HTTP client for it.
 */
final class TestServer implements AutoCloseable {
    static final String API_KEY = "sk-test-secret-key-0123456789abcdef";
    static final ObjectMapper JSON = new ObjectMapper();

    final KimiServer server;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private TestServer(KimiServer server) {
        this.server = server;
    }

    /**
     * Starts a server whose providers "fake" and "other" send to the given base URLs. Models: "kimi-k2"
     * (fake, upstream "kimi-k2-0905-preview", 262144 tokens, $0.60/$2.50/$0.15 per million), "tiny" (fake, a
     * 60-token window), "other-model" (other), "keyless" (provider "nokey" whose key variable is unset).
     */
    static TestServer start(Path dir, String fakeBaseUrl, String otherBaseUrl, String extraServerToml) {
        return start(dir, fakeBaseUrl, otherBaseUrl, extraServerToml, "read_timeout_ms = 5000");
    }

    static TestServer start(Path dir, String fakeBaseUrl, String otherBaseUrl, String extraServerToml,
            String fakeProviderExtra) {
        return start(dir, fakeBaseUrl, otherBaseUrl, extraServerToml, fakeProviderExtra, Clock.systemUTC());
    }

    /**
     * As {@link #start(Path, String, String, String)}, with more TOML after the others ({@code [features.*]},
     * {@code [mcp]}, {@code [logs]}, more {@code [models.<key>]} tables, ...).
     */
    static TestServer startWithSections(Path dir, String fakeBaseUrl, String otherBaseUrl, String extraServerToml,
            String sectionsToml) {
        return start(dir, fakeBaseUrl, otherBaseUrl, extraServerToml, "read_timeout_ms = 5000", Clock.systemUTC(),
                "[convergence]\nurl = \"off\"\n\n" + sectionsToml);
    }

    /** As above, with the server's clock (e.g. one the test moves, for rate limits). */
    static TestServer start(Path dir, String fakeBaseUrl, String otherBaseUrl, String extraServerToml,
            String fakeProviderExtra, Clock clock) {
        return start(dir, fakeBaseUrl, otherBaseUrl, extraServerToml, fakeProviderExtra, clock,
                "[convergence]\nurl = \"off\"");
    }

    /** With a {@code [convergence]} section of its own (the others turn the bridge off). */
    static TestServer start(Path dir, String fakeBaseUrl, String otherBaseUrl, String extraServerToml,
            String fakeProviderExtra, Clock clock, String convergenceToml) {
        String toml = String.join("\n",
                "[server]",
                extraServerToml.contains("host =") ? "" : "host = \"127.0.0.1\"",
                "port = 0",
                "db_path = \"" + dir.resolve("dashboard.db").toString().replace("\\", "/") + "\"",
                extraServerToml,
                "",
                "[providers.fake]",
                "type = \"kimi\"",
                "base_url = \"" + fakeBaseUrl + "\"",
                "api_key = \"${FAKE_API_KEY}\"",
                "connect_timeout_ms = 2000",
                "max_retries = 2",
                fakeProviderExtra,
                "",
                "[providers.other]",
                "type = \"openai-compatible\"",
                "base_url = \"" + otherBaseUrl + "\"",
                "api_key = \"${FAKE_API_KEY}\"",
                "",
                "[providers.nokey]",
                "type = \"openai\"",
                "base_url = \"" + otherBaseUrl + "\"",
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
                convergenceToml,
                "");
        try {
            Path file = dir.resolve("config.toml");
            Files.writeString(file, toml);
            Map<String, String> env = new HashMap<>();
            env.put("FAKE_API_KEY", API_KEY);
            KimiConfig config = new ConfigLoader(env).load(new ConfigOverrides(file, null, null, null));
            return new TestServer(KimiServer.builder().config(config).clock(clock).build().start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    URI uri(String path) {
        return URI.create(server.baseUri() + path);
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    HttpResponse<String> post(String path, String body) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    HttpResponse<String> put(String path, String body) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    HttpResponse<String> delete(String path) {
        return send(HttpRequest.newBuilder(uri(path)).DELETE());
    }

    HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON (status " + response.statusCode() + "): " + response.body(), e);
        }
    }

    static String chatBody(String model, boolean stream, String extra) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"system\",\"content\":\"You are terse.\"},"
                + "{\"role\":\"user\",\"content\":\"Say hello to the proxy.\"}]" + extra + "}";
    }

    @Override
    public void close() {
        server.close();
    }
}
