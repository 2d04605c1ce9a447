package io.kimi.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code [server]}'s WebSocket keys: ws_idle_timeout_ms, ws_max_frame_bytes, ws_queue_limit, allowed_origins,
 * ws_outbound_limit_bytes.
 */
class WebSocketSettingsTest {
    @TempDir
    Path dir;

    private ServerConfig server(String serverToml) {
        return new Loading(dir).server(serverToml);
    }

    private ConfigException failure(String serverToml) {
        return new Loading(dir).serverFailure(serverToml);
    }

    @Test
    void defaultsAreTwoMinutesIdle64KibFramesAThousandQueuedMessagesOnlyTheOwnOriginAnd64MibOutbound() {
        ServerConfig builtIn = new Loading(dir).builtInServer();
        ServerConfig fileWithoutTheKeys = server("port = 9000");

        for (ServerConfig s : List.of(builtIn, fileWithoutTheKeys)) {
            assertThat(s.wsIdleTimeout()).isEqualTo(Duration.ofMinutes(2));
            assertThat(s.wsMaxFrameBytes()).isEqualTo(65_536);
            assertThat(s.wsQueueLimit()).isEqualTo(1000);
            assertThat(s.allowedOrigins()).isEmpty();
            assertThat(s.wsOutboundLimitBytes()).isEqualTo(64L << 20);
        }
    }

    @Test
    void fileValuesAreRead() {
        ServerConfig s = server("""
                ws_idle_timeout_ms = 1500
                ws_max_frame_bytes = 4096
                ws_queue_limit = 10
                ws_outbound_limit_bytes = 8589934592
                allowed_origins = ["http://localhost:3000", "HTTPS://Dash.Example.com/"]
                """);

        assertThat(s.wsIdleTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(s.wsMaxFrameBytes()).isEqualTo(4096);
        assertThat(s.wsQueueLimit()).isEqualTo(10);
        assertThat(s.wsOutboundLimitBytes()).isEqualTo(8L << 30);
        assertThat(s.allowedOrigins()).containsExactly("http://localhost:3000", "https://dash.example.com");
    }

    @Test
    void aStarAllowsAnyOrigin() {
        assertThat(server("allowed_origins = [\"*\"]").allowedOrigins()).containsExactly("*");
    }

    @Test
    void theSettingsSurviveCommandLineAndEnvironmentOverrides() {
        Path file = new Loading(dir).write("config.toml", "[server]\nws_queue_limit = 7\n"
                + "ws_outbound_limit_bytes = 100000\n"
                + "allowed_origins = [\"http://a.example\"]\n" + Loading.LOCAL_CATALOGUE);

        ServerConfig s = new Loading(dir).loader(Map.of("DASHBOARD_PORT", "9100"))
                .load(new ConfigOverrides(file, "127.0.0.2", null, null)).server();
        ServerConfig rebound = s.withBinding("127.0.0.3", 0, null);

        for (ServerConfig c : List.of(s, rebound)) {
            assertThat(c.wsQueueLimit()).isEqualTo(7);
            assertThat(c.wsOutboundLimitBytes()).isEqualTo(100_000);
            assertThat(c.allowedOrigins()).containsExactly("http://a.example");
        }
        assertThat(rebound.host()).isEqualTo("127.0.0.3");
    }

    @Test
    void outOfRangeValuesNameTheKeyAndTheRange() {
        assertThat(failure("ws_idle_timeout_ms = 0").getMessage())
                .endsWith("server.ws_idle_timeout_ms: out of range: 0 (expected: 1-86400000)");
        assertThat(failure("ws_max_frame_bytes = 64").getMessage())
                .endsWith("server.ws_max_frame_bytes: out of range: 64 (expected: 128-16777216)");
        assertThat(failure("ws_queue_limit = -1").getMessage())
                .endsWith("server.ws_queue_limit: out of range: -1 (expected: 1-1000000)");
        assertThat(failure("ws_outbound_limit_bytes = 65535").getMessage())
                .endsWith("server.ws_outbound_limit_bytes: out of range: 65535 (expected: 65536-17179869184)");
        assertThat(failure("ws_queue_limit = \"many\"").reason())
                .isEqualTo("expected an integer, got string \"many\"");
    }

    @Test
    void allowedOriginsMustBeAnArrayOfOrigins() {
        assertThat(failure("allowed_origins = \"*\"").reason())
                .isEqualTo("expected an array of strings, got string \"*\"");
        assertThat(failure("allowed_origins = [\"http://a.example\", 3]").reason())
                .isEqualTo("expected an array of strings, but element 1 is integer 3");
        for (String bad : List.of("localhost:3000", "ftp://a.example", "http://a.example/page",
                "http://a.example?x=1", "http://user@a.example", "")) {
            ConfigException e = failure("allowed_origins = [\"" + bad + "\"]");
            assertThat(e.key()).as(bad).isEqualTo("server.allowed_origins");
            assertThat(e.reason()).as(bad).startsWith("\"" + bad + "\" is not an origin")
                    .contains("http://localhost:3000");
        }
    }
}
