package io.kimi.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerPrecedenceTest {
    private static final String FILE = """
            [server]
            host = "10.0.0.1"
            port = 9100
            db_path = "file.db"
            max_body_bytes = 2048
            auth_token = "${FILE_TOKEN}"
            allow_unauthenticated_remote = true
            io_threads = 3
            blocking_threads = 7
            """;

    private static final Map<String, String> ENV = Map.of(
            "DASHBOARD_HOST", "10.0.0.2",
            "DASHBOARD_PORT", "9200",
            "DASHBOARD_DB_PATH", "env.db",
            "FILE_TOKEN", "file-token-value");

    @TempDir
    Path dir;

    private KimiConfig load(String toml, Map<String, String> env, ConfigOverrides cli) {
        Loading files = new Loading(dir);
        Path file = files.write("config.toml", toml);
        return files.loader(env).load(new ConfigOverrides(file, cli.host(), cli.port(), cli.dbPath()));
    }

    @Test
    void fileValuesReplaceBuiltInDefaults() {
        ServerConfig server = load(FILE, Map.of("FILE_TOKEN", "t"), ConfigOverrides.none()).server();

        assertThat(server.host()).isEqualTo("10.0.0.1");
        assertThat(server.port()).isEqualTo(9100);
        assertThat(server.dbPath()).isEqualTo(Path.of("file.db"));
        assertThat(server.maxBodyBytes()).isEqualTo(2048);
        assertThat(server.authToken().value()).isEqualTo("t");
        assertThat(server.allowUnauthenticatedRemote()).isTrue();
        assertThat(server.ioThreads()).isEqualTo(3);
        assertThat(server.blockingThreads()).isEqualTo(7);
    }

    @Test
    void environmentVariablesWinOverTheFile() {
        ServerConfig server = load(FILE, ENV, ConfigOverrides.none()).server();

        assertThat(server.host()).isEqualTo("10.0.0.2");
        assertThat(server.port()).isEqualTo(9200);
        assertThat(server.dbPath()).isEqualTo(Path.of("env.db"));
        assertThat(server.maxBodyBytes()).isEqualTo(2048);
        assertThat(server.blockingThreads()).isEqualTo(7);
    }

    @Test
    void environmentVariablesWinOverBuiltInDefaults() {
        ServerConfig server = new Loading(dir).loader(ENV).load(ConfigOverrides.none()).server();

        assertThat(server.host()).isEqualTo("10.0.0.2");
        assertThat(server.port()).isEqualTo(9200);
        assertThat(server.dbPath()).isEqualTo(Path.of("env.db"));
    }

    @Test
    void commandLineWinsOverEnvironmentAndFile() {
        ServerConfig server = load(FILE, ENV, new ConfigOverrides(null, "0.0.0.0", 9300, Path.of("cli.db")))
                .server();

        assertThat(server.host()).isEqualTo("0.0.0.0");
        assertThat(server.port()).isEqualTo(9300);
        assertThat(server.dbPath()).isEqualTo(Path.of("cli.db"));
    }

    @Test
    void commandLineValuesLeaveTheOthersToTheNextSource() {
        ServerConfig server = load(FILE, ENV, new ConfigOverrides(null, null, 9300, null)).server();

        assertThat(server.port()).isEqualTo(9300);
        assertThat(server.host()).isEqualTo("10.0.0.2");
        assertThat(server.dbPath()).isEqualTo(Path.of("env.db"));
    }

    @Test
    void emptyEnvironmentVariablesAreIgnored() {
        ServerConfig server = load(FILE, Map.of("DASHBOARD_HOST", "", "DASHBOARD_PORT", " ", "FILE_TOKEN", "t"),
                ConfigOverrides.none()).server();

        assertThat(server.host()).isEqualTo("10.0.0.1");
        assertThat(server.port()).isEqualTo(9100);
    }

    @Test
    void kimiAuthTokenVariableWinsOverTheFilesToken() {
        Secret token = load(FILE, Map.of("FILE_TOKEN", "from-file", "KIMI_AUTH_TOKEN", "from-env"),
                ConfigOverrides.none()).server().authToken();

        assertThat(token.value()).isEqualTo("from-env");
        assertThat(token.variable()).contains("KIMI_AUTH_TOKEN");
    }

    @Test
    void kimiAuthTokenVariableSetsTheTokenOfTheBuiltInDefaults() {
        Secret token = new Loading(dir).loader(Map.of("KIMI_AUTH_TOKEN", "secret-token"))
                .load(ConfigOverrides.none()).server().authToken();

        assertThat(token.value()).isEqualTo("secret-token");
    }

    @Test
    void nonNumericDashboardPortIsAnEnvironmentError() {
        assertThatThrownBy(() -> load("", Map.of("DASHBOARD_PORT", "abc"), ConfigOverrides.none()))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.source()).isEqualTo("environment");
                    assertThat(e.key()).isEqualTo("DASHBOARD_PORT");
                    assertThat(e.reason()).contains("expected an integer", "\"abc\"");
                })
                .hasMessage("environment: DASHBOARD_PORT: expected an integer port (0-65535), got \"abc\"");
    }

    @Test
    void outOfRangeDashboardPortIsAnEnvironmentError() {
        assertThatThrownBy(() -> load("", Map.of("DASHBOARD_PORT", "70000"), ConfigOverrides.none()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("environment: DASHBOARD_PORT: out of range: 70000 (expected: 0-65535)");
    }

    @Test
    void outOfRangeCommandLinePortIsACommandLineError() {
        assertThatThrownBy(() -> load("", Map.of(), new ConfigOverrides(null, null, -1, null)))
                .isInstanceOf(ConfigException.class)
                .hasMessage("command line: --port: out of range: -1 (expected: 0-65535)");
    }

    @Test
    void blankCommandLineHostIsACommandLineError() {
        assertThatThrownBy(() -> load("", Map.of(), new ConfigOverrides(null, " ", null, null)))
                .isInstanceOf(ConfigException.class)
                .hasMessage("command line: --host: must not be empty");
    }
}
