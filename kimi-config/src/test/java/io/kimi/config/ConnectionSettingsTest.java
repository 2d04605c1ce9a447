package io.kimi.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code [server]}'s connection keys: header_read_timeout_ms, body_read_timeout_ms, idle_timeout_ms,
 * max_connections, max_connections_per_client, max_pipelined_requests, allowed_hosts.
 */
class ConnectionSettingsTest {
    @TempDir
    Path dir;

    private ServerConfig server(String serverToml) {
        return new Loading(dir).server(serverToml);
    }

    private ConfigException failure(String serverToml) {
        return new Loading(dir).serverFailure(serverToml);
    }

    @Test
    void defaultsAreTenSecondsForHeadersAMinuteForBodiesAndIdle4096ConnectionsOf1024PerClientAnd16Waiting() {
        ServerConfig builtIn = new Loading(dir).builtInServer();
        ServerConfig fileWithoutTheKeys = server("port = 9000");

        for (ServerConfig s : List.of(builtIn, fileWithoutTheKeys)) {
            assertThat(s.connections()).isEqualTo(ConnectionLimits.DEFAULTS);
            assertThat(s.connections().headerReadTimeout()).isEqualTo(Duration.ofSeconds(10));
            assertThat(s.connections().bodyReadTimeout()).isEqualTo(Duration.ofSeconds(60));
            assertThat(s.connections().idleTimeout()).isEqualTo(Duration.ofSeconds(60));
            assertThat(s.connections().maxConnections()).isEqualTo(4096);
            assertThat(s.connections().maxConnectionsPerClient()).isEqualTo(1024);
            assertThat(s.connections().maxPipelinedRequests()).isEqualTo(16);
            assertThat(s.allowedHosts()).isEmpty();
        }
    }

    @Test
    void fileValuesAreRead() {
        ServerConfig s = server("""
                header_read_timeout_ms = 1500
                body_read_timeout_ms = 2500
                idle_timeout_ms = 3500
                max_connections = 200
                max_connections_per_client = 20
                max_pipelined_requests = 4
                allowed_hosts = ["Dash.Example.com.", "192.168.1.20", "[FD00::1]"]
                """);

        assertThat(s.connections()).isEqualTo(new ConnectionLimits(Duration.ofMillis(1500), Duration.ofMillis(2500),
                Duration.ofMillis(3500), 200, 20, 4));
        assertThat(s.allowedHosts()).containsExactly("dash.example.com", "192.168.1.20", "fd00::1");
    }

    @Test
    void aLowConnectionLimitAloneLowersThePerClientDefaultToIt() {
        assertThat(server("max_connections = 100").connections().maxConnectionsPerClient()).isEqualTo(100);
    }

    @Test
    void aStarAllowsAnyHost() {
        assertThat(server("allowed_hosts = [\"*\"]").allowedHosts()).containsExactly("*");
    }

    @Test
    void theSettingsSurviveCommandLineAndEnvironmentOverrides() {
        Path file = new Loading(dir).write("config.toml", "[server]\nidle_timeout_ms = 7000\n"
                + "allowed_hosts = [\"a.example\"]\n" + Loading.LOCAL_CATALOGUE);

        ServerConfig s = new Loading(dir).loader(Map.of("DASHBOARD_PORT", "9100"))
                .load(new ConfigOverrides(file, "127.0.0.2", null, null)).server();
        ServerConfig rebound = s.withBinding("127.0.0.3", 0, null);

        for (ServerConfig c : List.of(s, rebound)) {
            assertThat(c.connections().idleTimeout()).isEqualTo(Duration.ofSeconds(7));
            assertThat(c.allowedHosts()).containsExactly("a.example");
        }
    }

    @Test
    void outOfRangeValuesNameTheKeyAndTheRange() {
        assertThat(failure("header_read_timeout_ms = 0").getMessage())
                .endsWith("server.header_read_timeout_ms: out of range: 0 (expected: 1-86400000)");
        assertThat(failure("body_read_timeout_ms = -5").getMessage())
                .endsWith("server.body_read_timeout_ms: out of range: -5 (expected: 1-86400000)");
        assertThat(failure("idle_timeout_ms = 86400001").getMessage())
                .endsWith("server.idle_timeout_ms: out of range: 86400001 (expected: 1-86400000)");
        assertThat(failure("max_connections = 0").getMessage())
                .endsWith("server.max_connections: out of range: 0 (expected: 1-1000000)");
        assertThat(failure("max_pipelined_requests = 0").getMessage())
                .endsWith("server.max_pipelined_requests: out of range: 0 (expected: 1-1024)");
        assertThat(failure("max_pipelined_requests = 1025").getMessage())
                .endsWith("server.max_pipelined_requests: out of range: 1025 (expected: 1-1024)");
        assertThat(failure("max_connections_per_client = \"many\"").reason())
                .isEqualTo("expected an integer, got string \"many\"");
    }

    @Test
    void thePerClientLimitMayNotExceedTheTotal() {
        ConfigException e = failure("max_connections = 10\nmax_connections_per_client = 11");

        assertThat(e.key()).isEqualTo("server.max_connections_per_client");
        assertThat(e.reason()).isEqualTo("11 is more than max_connections (10)");
    }

    @Test
    void allowedHostsMustBeHostsWithoutSchemeOrPort() {
        assertThat(failure("allowed_hosts = \"*\"").reason())
                .isEqualTo("expected an array of strings, got string \"*\"");
        for (String bad : List.of("http://a.example", "a.example:8766", "ab.cd:80", "dead:beef:80", "a.example/x", "a b", "")) {
            ConfigException e = failure("allowed_hosts = [\"" + bad + "\"]");
            assertThat(e.key()).as(bad).isEqualTo("server.allowed_hosts");
            assertThat(e.reason()).as(bad).startsWith("\"" + bad + "\" is not a host")
                    .contains("without scheme or port");
        }
    }
}
