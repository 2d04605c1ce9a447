package io.kimi.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogsSectionTest {
    @TempDir
    Path dir;

    private KimiConfig load(String toml, Map<String, String> env) {
        return new Loading(dir).load(toml, env);
    }

    /** The reason the load fails on {@code key}, the message being exactly {@code <file>: <key>: <reason>}. */
    private String failure(String toml, String key) {
        return Failures.reason(dir, key, () -> load(toml, Map.of()));
    }

    @Test
    void absentSectionTakesTheDefaults() {
        LogsConfig logs = load("", Map.of()).logs();

        assertThat(logs).isEqualTo(LogsConfig.DEFAULT);
        assertThat(logs.enabled()).isTrue();
        assertThat(logs.pollInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(logs.sources()).isEmpty();
    }

    @Test
    void everyKeyIsReadAndSourcesKeepTheFileOrder() {
        LogsConfig logs = load("""
                [logs]
                enabled = false
                poll_ms = 250

                [logs.sources.zed]
                path = "${HOME}/.continue/logs/core.log"
                format = "continue"
                session_id = "s-1"
                from_start = true

                [logs.sources.cli]
                path = "/var/log/kimi.log"
                format = "kimi_cli"
                """, Map.of("HOME", "/home/u")).logs();

        assertThat(logs.enabled()).isFalse();
        assertThat(logs.pollInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(logs.sources()).containsExactly(
                new LogSourceConfig("zed", Path.of("/home/u/.continue/logs/core.log"), "continue", "s-1", true),
                new LogSourceConfig("cli", Path.of("/var/log/kimi.log"), "kimi_cli", null, false));
    }

    @Test
    void anEmptySessionIdMeansTheActiveSession() {
        LogsConfig logs = load("[logs.sources.a]\npath = \"a.log\"\nformat = \"continue\"\nsession_id = \"\"\n",
                Map.of()).logs();

        assertThat(logs.sources().get(0).sessionId()).isNull();
    }

    @Test
    void badValuesNameTheirKey() {
        assertThat(failure("[logs]\nenabled = \"no\"\n", "logs.enabled")).startsWith("expected a boolean");
        assertThat(failure("[logs]\npoll_ms = 5\n", "logs.poll_ms")).isEqualTo("out of range: 5 (expected: 10-600000)");
        assertThat(failure("[logs]\nsources = []\n", "logs.sources")).isEqualTo("expected a table, got array");
        assertThat(failure("[logs.sources.a]\nformat = \"continue\"\n", "logs.sources.a.path")).startsWith("missing");
        assertThat(failure("[logs.sources.a]\npath = \"\"\nformat = \"continue\"\n", "logs.sources.a.path"))
                .isEqualTo("must not be empty");
        assertThat(failure("[logs.sources.a]\npath = \"${NOPE}/x.log\"\nformat = \"continue\"\n",
                "logs.sources.a.path")).contains("environment variable NOPE is not set");
        assertThat(failure("[logs.sources.a]\npath = \"${NOPE:-}\"\nformat = \"continue\"\n",
                "logs.sources.a.path")).startsWith("empty once");
        assertThat(failure("[logs.sources.a]\npath = \"a.log\"\n", "logs.sources.a.format"))
                .isEqualTo("missing (accepted: continue, kimi_cli)");
        assertThat(failure("[logs.sources.a]\npath = \"a.log\"\nformat = \"kimi-cli\"\n", "logs.sources.a.format"))
                .isEqualTo("unknown log format \"kimi-cli\" (accepted: continue, kimi_cli); "
                        + "did you mean \"kimi_cli\"?");
        assertThat(failure("[logs.sources.a]\npath = \"a.log\"\nformat = \"continue\"\nsession_id = 4\n",
                "logs.sources.a.session_id")).isEqualTo("expected a string, got integer 4");
        assertThat(failure("[logs.sources.a]\npath = \"a.log\"\nformat = \"continue\"\nfrom_start = \"yes\"\n",
                "logs.sources.a.from_start")).startsWith("expected a boolean");
    }

    @Test
    void unknownKeysAreRejectedWithASuggestion() {
        assertThat(failure("[logs]\npoll_interval_ms = 5\n", "logs.poll_interval_ms"))
                .contains("unknown key", "accepted here: enabled, poll_ms, sources");
        assertThat(failure("[logs.sources.a]\npath = \"a.log\"\nformat = \"continue\"\nfrom_stat = true\n",
                "logs.sources.a.from_stat")).endsWith("did you mean \"from_start\"?");
        assertThat(failure("[log]\nenabled = true\n", "log")).endsWith("did you mean \"logs\"?");
    }
}
