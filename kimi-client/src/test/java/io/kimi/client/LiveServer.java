package io.kimi.client;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real dashboard for the client to talk to: {@link KimiServer} on a fixed free loopback port (so it can be
 * restarted on the same one), a SQLite file in a temporary directory, the convergence bridge off, and one
 * provider "fake" pointing at a fake upstream. Events go in through {@code POST /api/events}.
 */
final class LiveServer implements AutoCloseable {
    static final String API_KEY = "sk-test-client-0123456789";

    private final Path dir;
    private final int port;
    private final String upstreamBaseUrl;
    private final String extraServerToml;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private KimiServer server;

    private LiveServer(Path dir, int port, String upstreamBaseUrl, String extraServerToml) {
        this.dir = dir;
        this.port = port;
        this.upstreamBaseUrl = upstreamBaseUrl;
        this.extraServerToml = extraServerToml;
    }

    static LiveServer start(Path dir, String upstreamBaseUrl) {
        return start(dir, upstreamBaseUrl, "");
    }

    static LiveServer start(Path dir, String upstreamBaseUrl, String extraServerToml) {
        LiveServer s = new LiveServer(dir, freePort(), upstreamBaseUrl, extraServerToml);
        s.startServer();
        return s;
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void startServer() {
        String toml = String.join("\n",
                "[server]",
                "host = \"127.0.0.1\"",
                "port = " + port,
                "db_path = \"" + dir.resolve("dashboard.db").toString().replace("\\", "/") + "\"",
                extraServerToml,
                "",
                "[providers.fake]",
                "type = \"kimi\"",
                "base_url = \"" + upstreamBaseUrl + "\"",
                "api_key = \"${FAKE_API_KEY}\"",
                "",
                "[models.\"kimi-k2\"]",
                "provider = \"fake\"",
                "context_window = 262144",
                "input_price = 0.60",
                "output_price = 2.50",
                "",
                "[convergence]",
                "url = \"off\"",
                "");
        try {
            Path file = dir.resolve("config.toml");
            Files.writeString(file, toml);
            KimiConfig config = new ConfigLoader(Map.of("FAKE_API_KEY", API_KEY))
                    .load(new ConfigOverrides(file, null, null, null));
            server = KimiServer.builder().config(config).build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the server; {@link #restart()} starts it again on the same port and database. */
    void stop() {
        server.close();
    }

    void restart() {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                startServer();
                return;
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                sleep(100);
            }
        }
    }

    int port() {
        return port;
    }

    String httpUri() {
        return "http://127.0.0.1:" + port;
    }

    String wsUri() {
        return "ws://127.0.0.1:" + port + "/ws";
    }

    /** Posts events (JSON objects) to {@code POST /api/events}; fails unless all are accepted or duplicates. */
    void postEvents(List<String> events) {
        HttpResponse<String> r = send("POST", "/api/events", "[" + String.join(",", events) + "]");
        if (r.statusCode() != 200) {
            throw new AssertionError("POST /api/events: " + r.statusCode() + " " + r.body());
        }
    }

    /** One proxied chat completion through the fake upstream; it creates the active proxy session. */
    void chat() {
        HttpResponse<String> r = send("POST", "/v1/chat/completions", "{\"model\":\"kimi-k2\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"Say hello to the client tests.\"}]}");
        if (r.statusCode() != 200) {
            throw new AssertionError("chat: " + r.statusCode() + " " + r.body());
        }
    }

    HttpResponse<String> send(String method, String path, String body) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(httpUri() + path))
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
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
