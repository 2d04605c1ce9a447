package io.kimi.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConvergenceSectionTest {
    @TempDir
    Path dir;

    private KimiConfig load(String toml, Map<String, String> env, ConfigOverrides overrides) throws Exception {
        Path file = dir.resolve("c.toml");
        Files.writeString(file, toml);
        ConfigOverrides o = new ConfigOverrides(file, null, null, null, overrides.convergenceUrl(), overrides.mock());
        return new ConfigLoader(env).load(o);
    }

    @Test
    void defaultsToTheSeedsLoopAddressWithoutMock() throws Exception {
        ConvergenceConfig c = load("", Map.of(), ConfigOverrides.none()).convergence();

        assertThat(c.url()).isEqualTo(URI.create("ws://localhost:8765"));
        assertThat(c.mock()).isFalse();
        assertThat(c.reconnectMax()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.livenessTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void theLivenessTimeoutIsReadInMillisecondsWithinItsRange() throws Exception {
        assertThat(load("[convergence]\nliveness_timeout_ms = 5000\n", Map.of(), ConfigOverrides.none())
                .convergence().livenessTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThatThrownBy(() -> load("[convergence]\nliveness_timeout_ms = 10\n", Map.of(), ConfigOverrides.none()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("convergence.liveness_timeout_ms")
                .hasMessageContaining("300");
    }

    @Test
    void commandLineBeatsEnvironmentWhichBeatsTheFile() throws Exception {
        String toml = "[convergence]\nurl = \"ws://file:1\"\nmock = false\n";
        assertThat(load(toml, Map.of(), ConfigOverrides.none()).convergence().url())
                .isEqualTo(URI.create("ws://file:1"));
        assertThat(load(toml, Map.of("CONVERGENCE_WS_URL", "ws://env:2", "DASHBOARD_MOCK", "true"),
                ConfigOverrides.none()).convergence()).satisfies(c -> {
                    assertThat(c.url()).isEqualTo(URI.create("ws://env:2"));
                    assertThat(c.mock()).isTrue();
                });
        assertThat(load(toml, Map.of("CONVERGENCE_WS_URL", "ws://env:2", "DASHBOARD_MOCK", "true"),
                new ConfigOverrides(null, null, null, null, "ws://cli:3", false)).convergence()).satisfies(c -> {
                    assertThat(c.url()).isEqualTo(URI.create("ws://cli:3"));
                    assertThat(c.mock()).isFalse();
                });
    }

    @Test
    void aMockSeedMakesTheSimulationReproducible() throws Exception {
        assertThat(load("", Map.of(), ConfigOverrides.none()).convergence().mockSeed()).isNull();
        assertThat(load("[convergence]\nmock_seed = 42\n", Map.of(), ConfigOverrides.none()).convergence().mockSeed())
                .isEqualTo(42L);
    }

    @Test
    void offTurnsTheBridgeOff() throws Exception {
        assertThat(load("[convergence]\nurl = \"off\"\n", Map.of(), ConfigOverrides.none()).convergence().bridgeUrl())
                .isEmpty();
        assertThat(load("", Map.of(), new ConfigOverrides(null, null, null, null, "", null)).convergence().url())
                .isNull();
    }

    @Test
    void badValuesNameTheirSource() {
        assertThatThrownBy(() -> load("[convergence]\nurl = \"http://x:1\"\n", Map.of(), ConfigOverrides.none()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("convergence.url")
                .hasMessageContaining("ws://");
        assertThatThrownBy(() -> load("", Map.of("DASHBOARD_MOCK", "maybe"), ConfigOverrides.none()))
                .hasMessageContaining("DASHBOARD_MOCK");
        assertThatThrownBy(() -> load("", Map.of(), new ConfigOverrides(null, null, null, null, "nope", null)))
                .hasMessageContaining("--convergence-url");
        assertThatThrownBy(() -> load("[convergence]\nreconect_max_ms = 5\n", Map.of(), ConfigOverrides.none()))
                .hasMessageContaining("reconnect_max_ms");
    }
}
