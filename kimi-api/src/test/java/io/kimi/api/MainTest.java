package io.kimi.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kimi.config.ConfigOverrides;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @Test
    void flagsBecomeOverridesInBothSpellings() {
        ConfigOverrides o = Main.parse(new String[] {"--config", "c.toml", "--host=0.0.0.0", "--port", "9000",
                "--db=/tmp/x.db"});

        assertThat(o.configFile()).isEqualTo(Path.of("c.toml"));
        assertThat(o.host()).isEqualTo("0.0.0.0");
        assertThat(o.port()).isEqualTo(9000);
        assertThat(o.dbPath()).isEqualTo(Path.of("/tmp/x.db"));
        assertThat(o.convergenceUrl()).isNull();
        assertThat(o.mock()).isNull();
    }

    @Test
    void convergenceFlagsBecomeOverrides() {
        ConfigOverrides o = Main.parse(new String[] {"--convergence-url", "ws://127.0.0.1:9", "--mock"});

        assertThat(o.convergenceUrl()).isEqualTo("ws://127.0.0.1:9");
        assertThat(o.mock()).isTrue();
        assertThatThrownBy(() -> Main.parse(new String[] {"--mock=yes"})).hasMessageContaining("no value");
    }

    @Test
    void noFlagsMeansNoOverrides() {
        assertThat(Main.parse(new String[0])).isEqualTo(ConfigOverrides.none());
    }

    @Test
    void badFlagsAreExplained() {
        assertThatThrownBy(() -> Main.parse(new String[] {"--port", "x"})).hasMessageContaining("not a number");
        assertThatThrownBy(() -> Main.parse(new String[] {"--port", "70000"})).hasMessageContaining("0-65535");
        assertThatThrownBy(() -> Main.parse(new String[] {"--db"})).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> Main.parse(new String[] {"--verbose"})).hasMessageContaining("unknown option");
    }

    @Test
    void helpPrintsUsageAndExitsZero() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code = Main.run(new String[] {"--help"}, print(out), print(err));

        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--config FILE").contains("DASHBOARD_PORT");
    }

    @Test
    void badConfigFileStopsWithExitCodeTwoNamingTheFile(@TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("broken.toml");
        Files.writeString(file, "[server]\nport = \"eighty\"\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code = Main.run(new String[] {"--config", file.toString()}, print(new ByteArrayOutputStream()),
                print(err));

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("broken.toml").contains("port");
    }

    private static PrintStream print(ByteArrayOutputStream out) {
        return new PrintStream(out, true, StandardCharsets.UTF_8);
    }
}
