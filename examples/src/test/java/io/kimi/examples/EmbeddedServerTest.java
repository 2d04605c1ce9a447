package io.kimi.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.api.KimiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedServerTest {
    @TempDir
    Path dir;

    @Test
    void startsAnEmbeddedDashboardWithTheGivenSettings() {
        try (KimiServer server = Dashboards.start(dir)) {
            assertThat(server.baseUri().toString()).startsWith("http://127.0.0.1:");
            assertThat(server.config().convergence().url()).isNull();
            assertThat(Dashboards.get(server, "/health")).contains("\"database\":\"ok\"");
            assertThat(Files.exists(dir.resolve("dashboard.db"))).isTrue();
        }
    }

    @Test
    void startsFromTheConfigurationWrittenInCode() {
        try (KimiServer server = KimiServer.builder().config(EmbeddedServer.configuredInCode(dir.resolve("code.db")))
                .build().start()) {
            assertThat(server.config().models()).containsOnlyKeys("qwen");
            assertThat(Dashboards.get(server, "/v1/models")).contains("\"id\":\"qwen\"");
            assertThat(Files.exists(dir.resolve("code.db"))).isTrue();
        }
    }
}
