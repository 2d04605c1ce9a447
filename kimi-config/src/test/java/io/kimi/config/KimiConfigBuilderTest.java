package io.kimi.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link KimiConfig#builder()} gives what a TOML file with the same keys gives: the config, or the error. */
class KimiConfigBuilderTest {
    private static final Map<String, String> ENV = Map.of("LOCAL_KEY", "sk-local", "TOKEN_VAR", "tok");

    @TempDir
    Path dir;

    @Test
    void givesTheConfigurationTheSameTomlGives() {
        KimiConfig fromToml = new Loading(dir).load("""
                [server]
                host = "::1"
                port = 0
                db_path = "embedded.db"
                auth_token = "${TOKEN_VAR}"
                allowed_hosts = ["kimi.lan"]
                max_body_bytes = 4096

                [thresholds]
                warning = 50
                high = 60.5
                critical = 90

                [providers.local]
                type = "openai-compatible"
                base_url = "http://127.0.0.1:8000/v1"
                api_key = "${LOCAL_KEY}"

                [providers.ollama]
                type = "openai-compatible"
                base_url = "http://127.0.0.1:11434/v1"

                [models.qwen]
                provider = "local"
                context_window = 32768

                [models.big]
                provider = "ollama"
                model = "llama3:70b"
                context_window = 8192
                input_price = 0.5
                output_price = 1.25

                [convergence]
                url = "off"
                """, ENV);

        KimiConfig fromBuilder = KimiConfig.builder()
                .host("::1")
                .port(0)
                .dbPath(Path.of("embedded.db"))
                .authTokenEnv("TOKEN_VAR")
                .allowedHosts("kimi.lan")
                .maxBodyBytes(4096)
                .thresholds(50, 60.5, 90)
                .provider("local", ProviderType.OPENAI_COMPATIBLE, "http://127.0.0.1:8000/v1", "LOCAL_KEY")
                .provider("ollama", ProviderType.OPENAI_COMPATIBLE, "http://127.0.0.1:11434/v1", null)
                .model("qwen", "local", 32768)
                .model("big", "ollama", "llama3:70b", 8192, 0.5, 1.25)
                .convergenceUrl("off")
                .environment(ENV)
                .build();

        assertThat(fromBuilder.source()).isEqualTo(KimiConfigBuilder.SOURCE);
        assertThat(fromBuilder).isEqualTo(withSource(fromToml, KimiConfigBuilder.SOURCE));
        assertThat(fromBuilder.provider("local").orElseThrow().apiKey().value()).isEqualTo("sk-local");
        assertThat(fromBuilder.server().authToken().value()).isEqualTo("tok");
    }

    @Test
    void withoutProvidersOrModelsKeepsTheBuiltInCatalogueAsAFileDoes() {
        KimiConfig fromToml = new Loading(dir).load("[server]\nport = 9001\n");
        KimiConfig fromBuilder = KimiConfig.builder().port(9001).environment(Map.of()).build();

        assertThat(fromBuilder).isEqualTo(withSource(fromToml, KimiConfigBuilder.SOURCE));
        assertThat(fromBuilder.models()).containsKey("kimi-k2");
    }

    @Test
    void theServerEnvironmentVariablesDoNotOverrideWhatTheBuilderSets() {
        KimiConfig config = KimiConfig.builder().port(9001)
                .environment(Map.of("DASHBOARD_PORT", "9999", "CONVERGENCE_WS_URL", "ws://elsewhere:1"))
                .convergenceUrl("off")
                .build();

        assertThat(config.server().port()).isEqualTo(9001);
        assertThat(config.convergence().url()).isNull();
    }

    @Test
    void anInvalidValueIsTheSameErrorAsInAFile() {
        assertSameError("[server]\nport = 70000\n", () -> KimiConfig.builder().port(70000).build(),
                "server.port", "out of range: 70000 (expected: 0-65535)");
        assertSameError("[thresholds]\nwarning = 90\nhigh = 85\ncritical = 95\n",
                () -> KimiConfig.builder().thresholds(90, 85, 95).build(), "thresholds", "expected 0 < warning");
        assertSameError("""
                [providers.local]
                type = "openai-compatible"
                base_url = "http://127.0.0.1:8000/v1"

                [models.m]
                provider = "nowhere"
                context_window = 1000
                """, () -> KimiConfig.builder()
                        .provider("local", ProviderType.OPENAI_COMPATIBLE, "http://127.0.0.1:8000/v1", null)
                        .model("m", "nowhere", 1000).build(),
                "models.m.provider", "no provider \"nowhere\" is defined");
        assertSameError("[convergence]\nurl = \"http://x\"\n",
                () -> KimiConfig.builder().convergenceUrl("http://x").build(), "convergence.url", "ws://");
    }

    private void assertSameError(String toml, Supplier<KimiConfig> builder, String key, String reasonStart) {
        Loading files = new Loading(dir);
        ConfigException fromFile = Failures.configException(() -> files.load(toml));
        ConfigException fromBuilder = Failures.configException(builder::get);

        assertThat(fromFile.key()).isEqualTo(key);
        assertThat(fromFile.reason()).contains(reasonStart);
        assertThat(fromBuilder.key()).isEqualTo(fromFile.key());
        assertThat(fromBuilder.reason()).isEqualTo(fromFile.reason());
        assertThat(fromBuilder.source()).isEqualTo(KimiConfigBuilder.SOURCE);
        assertThat(fromBuilder.getMessage()).isEqualTo(KimiConfigBuilder.SOURCE + ": " + key + ": "
                + fromBuilder.reason());
    }

    private static KimiConfig withSource(KimiConfig c, String source) {
        return new KimiConfig(source, c.server(), c.providers(), c.models(), c.thresholds(), c.convergence(),
                c.features(), c.mcp(), c.logs());
    }
}
