package io.kimi.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kimi.config.ConfigException;
import io.kimi.config.ConfigLoader;
import io.kimi.config.ConfigOverrides;
import io.kimi.config.KimiConfig;
import io.kimi.config.ProviderType;
import io.kimi.core.KimiException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Embedding: seed 002's {@code start_server(host, port, convergence_ws_url, db_path)} as builder calls. */
class KimiServerEmbeddingTest {
    @TempDir
    Path dir;

    @Test
    void ioThreadsZeroMeansOneEventLoopPerCoreNotNettysTwo() {
        assertThat(EventLoops.count(0)).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(EventLoops.count(3)).isEqualTo(3);
    }

    @Test
    void startsWithTheGivenHostPortLoopAndDatabase() {
        try (KimiServer server = KimiServer.builder().host("127.0.0.1").port(0)
                .convergenceUrl("ws://127.0.0.1:1/loop").dbPath(dir.resolve("a.db")).build().start()) {
            assertThat(server.port()).isPositive();
            assertThat(server.config().server().host()).isEqualTo("127.0.0.1");
            assertThat(server.config().convergence().url()).isEqualTo(URI.create("ws://127.0.0.1:1/loop"));
            assertThat(Files.exists(dir.resolve("a.db"))).isTrue();
        }
    }

    @Test
    void aPortInUseIsAKimiExceptionNamingIt() {
        try (KimiServer first = start(0, dir.resolve("a.db"))) {
            assertThatThrownBy(() -> start(first.port(), dir.resolve("b.db")))
                    .isInstanceOf(KimiException.class).hasMessageContaining(":" + first.port());
        }
    }

    @Test
    void theConvergenceUrlAlsoOverridesAGivenConfiguration() throws Exception {
        Path file = dir.resolve("config.toml");
        Files.writeString(file, "[server]\nport = 0\ndb_path = \"" + dir.resolve("c.db").toString().replace("\\", "/")
                + "\"\n");
        KimiConfig config = new ConfigLoader(Map.of()).load(new ConfigOverrides(file, null, null, null));
        try (KimiServer server = KimiServer.builder().config(config).convergenceUrl("off").build().start()) {
            assertThat(server.config().convergence().url()).isNull();
        }
        assertThatThrownBy(() -> KimiServer.builder().config(config).convergenceUrl("http://x").build())
                .isInstanceOf(ConfigException.class).hasMessageContaining("ws://");
    }

    @Test
    void startsFromAConfigurationBuiltInCodeWithoutToml() {
        KimiConfig config = KimiConfig.builder()
                .port(0)
                .dbPath(dir.resolve("built.db"))
                .provider("local", ProviderType.OPENAI_COMPATIBLE, "http://127.0.0.1:1/v1", null)
                .model("m", "local", 4096)
                .convergenceUrl("off")
                .environment(Map.of())
                .build();
        try (KimiServer server = KimiServer.builder().config(config).build().start()) {
            assertThat(server.baseUri().toString()).startsWith("http://127.0.0.1:");
            assertThat(server.config().models()).containsOnlyKeys("m");
            assertThat(Files.exists(dir.resolve("built.db"))).isTrue();
        }
    }

    private static KimiServer start(int port, Path db) {
        return KimiServer.builder().host("127.0.0.1").port(port).convergenceUrl("off").dbPath(db).build().start();
    }
}
