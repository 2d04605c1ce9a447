package io.kimi.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.core.tokens.TokenEncoding;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuiltInDefaultsTest {
    @TempDir
    Path dir;

    private KimiConfig defaults(Map<String, String> env) {
        return new Loading(dir).loader(env).load(ConfigOverrides.none());
    }

    @Test
    void builtInDefaultsAreUsedWhenNoFileIsFound() {
        KimiConfig config = defaults(Map.of());

        assertThat(config.source()).isEqualTo("built-in defaults");
        ServerConfig server = config.server();
        assertThat(server.host()).isEqualTo("127.0.0.1");
        assertThat(server.port()).isEqualTo(8766);
        assertThat(server.dbPath()).isEqualTo(Path.of("./dashboard.db"));
        assertThat(server.maxBodyBytes()).isEqualTo(10_485_760);
        assertThat(server.authToken().isConfigured()).isFalse();
        assertThat(server.allowUnauthenticatedRemote()).isFalse();
        assertThat(server.ioThreads()).isZero();
        assertThat(server.blockingThreads()).isEqualTo(4);
        assertThat(config.thresholds()).isEqualTo(new Thresholds(70, 85, 95));
    }

    @Test
    void builtInKimiProviderServesTheK2FamilyWith262144TokenWindows() {
        KimiConfig config = defaults(Map.of());

        ProviderConfig kimi = config.provider("kimi").orElseThrow();
        assertThat(kimi.type()).isEqualTo(ProviderType.KIMI);
        assertThat(kimi.baseUrl()).isEqualTo(URI.create("https://api.moonshot.ai/v1"));
        assertThat(kimi.chatCompletionsUri()).isEqualTo(URI.create("https://api.moonshot.ai/v1/chat/completions"));
        assertThat(kimi.apiKey().variable()).contains("KIMI_API_KEY");
        assertThat(kimi.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(kimi.readTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(kimi.totalTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(kimi.maxRetries()).isEqualTo(2);
        assertThat(kimi.maxConnections()).isEqualTo(64);
        assertThat(kimi.streamUsage()).isTrue();

        ModelConfig k2 = config.model("kimi-k2").orElseThrow();
        assertThat(k2.provider()).isEqualTo("kimi");
        assertThat(k2.upstreamModel()).isEqualTo("kimi-k2-0905-preview");
        assertThat(k2.contextWindow()).isEqualTo(262_144);
        assertThat(k2.prices()).isEqualTo(new ModelConfig.Prices(0.60, 2.50, 0.15));
        assertThat(k2.encoding()).isEqualTo(TokenEncoding.CL100K_BASE);

        assertThat(config.model("kimi-k2-turbo").orElseThrow().upstreamModel()).isEqualTo("kimi-k2-turbo-preview");
        assertThat(config.model("kimi-k2-turbo").orElseThrow().prices())
                .isEqualTo(new ModelConfig.Prices(1.15, 8.00, 0.15));
        assertThat(config.model("kimi-k2-thinking").orElseThrow().upstreamModel()).isEqualTo("kimi-k2-thinking");
        assertThat(config.models().values().stream().filter(m -> m.provider().equals("kimi"))
                .filter(m -> m.key().startsWith("kimi-k2")).map(ModelConfig::contextWindow))
                .isNotEmpty().containsOnly(262_144);
        assertThat(config.model("moonshot-v1-128k").orElseThrow().contextWindow()).isEqualTo(131_072);
    }

    @Test
    void builtInDefaultsDefineEveryNamedProviderOverHttpsWithAKeyVariable() {
        KimiConfig config = defaults(Map.of());

        Set<ProviderType> types = config.providers().values().stream().map(ProviderConfig::type)
                .collect(Collectors.toSet());
        assertThat(types).isEqualTo(EnumSet.complementOf(EnumSet.of(ProviderType.OPENAI_COMPATIBLE)));
        for (ProviderConfig p : config.providers().values()) {
            assertThat(p.baseUrl().getScheme()).as(p.key()).isEqualTo("https");
            assertThat(p.apiKey().variable()).as(p.key()).hasValueSatisfying(v -> assertThat(v).endsWith("_API_KEY"));
            assertThat(p.apiKey().isResolved()).as(p.key()).isFalse();
        }
        assertThat(config.provider("mistral").orElseThrow().streamUsage()).isFalse();
        assertThat(config.provider("gemini").orElseThrow().chatCompletionsUri()).isEqualTo(
                URI.create("https://generativelanguage.googleapis.com/v1beta/openai/chat/completions"));
    }

    @Test
    void builtInOpenAiModelsUseO200kAndPublishedPrices() {
        KimiConfig config = defaults(Map.of());

        ModelConfig gpt4o = config.model("gpt-4o").orElseThrow();
        assertThat(gpt4o.contextWindow()).isEqualTo(128_000);
        assertThat(gpt4o.prices()).isEqualTo(new ModelConfig.Prices(2.50, 10.00, 1.25));
        assertThat(gpt4o.encoding()).isEqualTo(TokenEncoding.O200K_BASE);
        assertThat(config.model("gpt-4o-mini").orElseThrow().prices())
                .isEqualTo(new ModelConfig.Prices(0.15, 0.60, 0.075));
        assertThat(config.model("gpt-4.1").orElseThrow().contextWindow()).isEqualTo(1_047_576);
    }

    @Test
    void builtInRoutedModelKeysMapToTheProvidersUpstreamIds() {
        KimiConfig config = defaults(Map.of());

        assertThat(config.model("groq/kimi-k2").orElseThrow())
                .extracting(ModelConfig::provider, ModelConfig::upstreamModel, ModelConfig::contextWindow)
                .containsExactly("groq", "moonshotai/kimi-k2-instruct-0905", 262_144);
        assertThat(config.model("nvidia/kimi-k2").orElseThrow())
                .extracting(ModelConfig::provider, ModelConfig::upstreamModel, ModelConfig::contextWindow)
                .containsExactly("nvidia", "moonshotai/kimi-k2-instruct", 131_072);
        assertThat(config.model("openrouter/kimi-k2").orElseThrow().provider()).isEqualTo("openrouter");
        assertThat(config.model("deepseek-chat").orElseThrow().prices())
                .isEqualTo(new ModelConfig.Prices(0.28, 0.42, 0.028));
        assertThat(config.model("gemini-2.5-flash").orElseThrow().contextWindow()).isEqualTo(1_048_576);
    }

    @Test
    void builtInKeysResolveFromTheEnvironment() {
        KimiConfig config = defaults(Map.of("KIMI_API_KEY", "sk-from-env"));

        assertThat(config.provider("kimi").orElseThrow().apiKey().value()).isEqualTo("sk-from-env");
        assertThat(config.provider("openai").orElseThrow().apiKey().isResolved()).isFalse();
    }

    @Test
    void builtInFeaturesMcpAndLogsAreTheRecordDefaults() {
        KimiConfig config = defaults(Map.of());

        assertThat(config.features()).isEqualTo(FeaturesConfig.DEFAULT);
        assertThat(config.mcp()).isEqualTo(McpConfig.DEFAULT);
        assertThat(config.logs()).isEqualTo(LogsConfig.DEFAULT);
    }

    @Test
    void mcpWorkspaceVariableAppliesToTheBuiltInDefaults() {
        assertThat(defaults(Map.of("MCP_WORKSPACE", "/repo")).mcp().workspace()).isEqualTo(Path.of("/repo"));
    }
}
