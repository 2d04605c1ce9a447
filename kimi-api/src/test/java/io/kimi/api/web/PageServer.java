package io.kimi.api.web;

import io.kimi.api.KimiServer;
import io.kimi.config.ConfigLoader;
import io.kimi.config.ConfigOverrides;
import io.kimi.config.KimiConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A real {@link KimiServer} for the browser tests: SQLite in the test's folder, provider "fake" pointing at a
 * {@code FakeUpstream}, model "kimi-k2" (262144 tokens), optionally the simulated convergence loop, on a given
 * port (0 for any) so a test can restart it where the page expects it.
 */
final class PageServer implements AutoCloseable {
    static final String API_KEY = "sk-test-secret-key-0123456789abcdef";

    final KimiServer server;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private PageServer(KimiServer server) {
        this.server = server;
    }

    static PageServer start(Path dir, String fakeBaseUrl, int port, boolean mockLoop) {
        String toml = String.join("\n",
                "[server]",
                "host = \"127.0.0.1\"",
                "port = 0",
                "db_path = \"" + dir.resolve("dashboard.db").toString().replace("\\", "/") + "\"",
                "",
                "[providers.fake]",
                "type = \"kimi\"",
                "base_url = \"" + fakeBaseUrl + "\"",
                "api_key = \"${FAKE_API_KEY}\"",
                "connect_timeout_ms = 2000",
                "read_timeout_ms = 5000",
                "",
                "[models.\"kimi-k2\"]",
                "provider = \"fake\"",
                "model = \"kimi-k2-0905-preview\"",
                "context_window = 262144",
                "input_price = 0.60",
                "output_price = 2.50",
                "cached_input_price = 0.15",
                "",
                "[convergence]",
                mockLoop ? "mock = true\nmock_interval_ms = 50\n# seed 1: the first simulated session converges after 4 iterations\nmock_seed = 1" : "",
                "url = \"off\"",
                "");
        try {
            Path file = dir.resolve("config.toml");
            Files.writeString(file, toml);
            KimiConfig config = new ConfigLoader(Map.of("FAKE_API_KEY", API_KEY))
                    .load(new ConfigOverrides(file, null, null, null));
            return new PageServer(KimiServer.builder().config(config).port(port).build().start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A port that was free a moment ago, for a server the test restarts on the same port. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String url(String pathAndQuery) {
        return server.baseUri() + pathAndQuery;
    }

    /** A non-streaming chat completion through the proxy; returns the status. */
    int chat(String model) {
        String body = "{\"model\":\"" + model + "\",\"stream\":false,\"messages\":["
                + "{\"role\":\"user\",\"content\":\"Bonjour, proxy.\"}]}";
        return send(HttpRequest.newBuilder(URI.create(url("/v1/chat/completions")))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))).statusCode();
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(URI.create(url(path))).GET());
    }

    HttpResponse<String> post(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(url(path))).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
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

    @Override
    public void close() {
        server.close();
    }
}
