package io.kimi.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kimi.config.ConfigException;
import io.kimi.config.ConfigLoader;
import io.kimi.config.ConfigOverrides;
import io.kimi.config.KimiConfig;
import io.kimi.core.KimiException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Seed 002's {@code start_server(host, port, convergence_ws_url, db_path)} in Java form. */
class KimiServerEmbeddingTest {
    @TempDir
    Path dir;

    @Test
    void ioThreadsZeroMeansOneEventLoopPerCoreNotNettysTwo() {
        assertThat(KimiServer.eventLoops(0)).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(KimiServer.eventLoops(3)).isEqualTo(3);
    }

    @Test
    void startsWithTheGivenHostPortLoopAndDatabase() {
        try (KimiServer server = KimiServer.start("127.0.0.1", 0, "ws://127.0.0.1:1/loop", dir.resolve("a.db"))) {
            assertThat(server.port()).isPositive();
            assertThat(server.config().server().host()).isEqualTo("127.0.0.1");
            assertThat(server.config().convergence().url()).isEqualTo(URI.create("ws://127.0.0.1:1/loop"));
            assertThat(Files.exists(dir.resolve("a.db"))).isTrue();
        }
    }

    @Test
    void aPortInUseIsAKimiExceptionNamingIt() {
        try (KimiServer first = KimiServer.start("127.0.0.1", 0, "off", dir.resolve("a.db"))) {
            assertThatThrownBy(() -> KimiServer.start("127.0.0.1", first.port(), "off", dir.resolve("b.db")))
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
}
