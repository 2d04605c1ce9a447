package io.kimi.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.api.KimiServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedding example's own way of starting a server (the other examples' tests use the shared harness,
 * {@code KimiServerExtension}; this one tests {@link EmbeddedServer#start} and the README's configuration in
 * code themselves).
 */
class EmbeddedServerTest {
    @TempDir
    Path dir;

    @Test
    void startsAnEmbeddedDashboardWithTheGivenSettings() throws Exception {
        try (KimiServer server = EmbeddedServer.start(KimiServer.builder().port(0).convergenceUrl("off")
                .dbPath(dir.resolve("dashboard.db")))) {
            assertThat(server.baseUri().toString()).startsWith("http://127.0.0.1:");
            assertThat(server.config().convergence().url()).isNull();
            HttpResponse<String> health = get(server, "/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"database\":\"ok\"");
            assertThat(Files.exists(dir.resolve("dashboard.db"))).isTrue();
        }
    }

    @Test
    void startsFromTheConfigurationWrittenInCode() throws Exception {
        try (KimiServer server = KimiServer.builder().config(EmbeddedServer.configuredInCode(dir.resolve("code.db")))
                .build().start()) {
            assertThat(server.config().models()).containsOnlyKeys("qwen");
            assertThat(get(server, "/v1/models").body()).contains("\"id\":\"qwen\"");
            assertThat(Files.exists(dir.resolve("code.db"))).isTrue();
        }
    }

    private static HttpResponse<String> get(KimiServer server, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.baseUri() + path))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
