package io.kimi.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The documented example at the repository root must stay loadable and cover every key. */
class ExampleConfigTest {
    private static final Path EXAMPLE = Path.of("..", "config.example.toml");

    @TempDir
    Path dir;

    @Test
    void exampleConfigLoadsWithALocalProviderThatNeedsNoKey() {
        KimiConfig config = load();

        ProviderConfig local = config.provider("local").orElseThrow();
        assertThat(local.type()).isEqualTo(ProviderType.OPENAI_COMPATIBLE);
        assertThat(local.baseUrl()).isEqualTo(URI.create("http://127.0.0.1:8000/v1"));
        assertThat(local.apiKey().isConfigured()).isFalse();
        assertThat(config.provider("openrouter").orElseThrow().headers())
                .containsEntry("HTTP-Referer", "http://localhost:8766");
        assertThat(config.model("local/qwen2.5-coder").orElseThrow().provider()).isEqualTo("local");
        assertThat(config.provider("kimi").orElseThrow().apiKey().value()).isEqualTo("k");
    }

    @Test
    void exampleConfigSpellsOutTheDefaultFeaturesAndOneMcpServerAndLogSource() {
        KimiConfig config = load();

        assertThat(config.features()).isEqualTo(FeaturesConfig.DEFAULT);
        assertThat(config.mcp().workspace()).isEqualTo(McpConfig.DEFAULT.workspace());
        assertThat(config.mcp().timeout()).isEqualTo(McpConfig.DEFAULT.timeout());
        assertThat(config.mcp().maxResultBytes()).isEqualTo(McpConfig.DEFAULT.maxResultBytes());
        McpServerConfig memory = config.mcp().servers().get("memory");
        assertThat(memory.url()).isEqualTo(URI.create("http://127.0.0.1:3100/mcp"));
        assertThat(memory.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(memory.authToken().variable()).contains("MCP_MEMORY_TOKEN");
        assertThat(config.logs().pollInterval()).isEqualTo(LogsConfig.DEFAULT.pollInterval());
        assertThat(config.logs().sources()).containsExactly(new LogSourceConfig("continue",
                Path.of("/home/dev/.continue/logs/core.log"), "continue", null, false));
    }

    @Test
    void exampleConfigMentionsEveryAcceptedKey() throws Exception {
        String text = Files.readString(EXAMPLE);

        for (List<String> keys : List.of(ServerSection.KEYS, ThresholdsSection.KEYS, ProvidersSection.KEYS,
                ModelsSection.KEYS, ConvergenceSection.KEYS, ConfigReader.TOP_LEVEL_KEYS, FeaturesSection.KEYS,
                FeaturesSection.TOOL_REPAIR_KEYS, FeaturesSection.SANITIZER_KEYS, FeaturesSection.COMPACTION_KEYS,
                FeaturesSection.MEMORY_KEYS, McpSection.KEYS, McpSection.SERVER_KEYS, LogsSection.KEYS,
                LogsSection.SOURCE_KEYS, LogsSection.FORMATS)) {
            for (String key : keys) {
                assertThat(text).as(key).containsPattern("(?<![\\w-])" + key + "(?![\\w-])");
            }
        }
        assertThat(text).contains(McpSection.WORKSPACE_VAR);
    }

    @Test
    void exampleConfigDocumentsEachFeatureAndLogKeyInsideItsOwnSection() throws Exception {
        String text = Files.readString(EXAMPLE);

        assertDocumentedIn(text, "[features.tool_repair]", FeaturesSection.TOOL_REPAIR_KEYS);
        assertDocumentedIn(text, "[features.sanitizer]", FeaturesSection.SANITIZER_KEYS);
        assertDocumentedIn(text, "[features.compaction]", FeaturesSection.COMPACTION_KEYS);
        assertDocumentedIn(text, "[features.memory]", FeaturesSection.MEMORY_KEYS);
        assertDocumentedIn(text, "[mcp]", McpSection.KEYS);
        assertDocumentedIn(text, "[mcp.servers.memory]", McpSection.SERVER_KEYS);
        assertDocumentedIn(text, "[logs]", LogsSection.KEYS);
        assertDocumentedIn(text, "[logs.sources.continue]", LogsSection.SOURCE_KEYS);
    }

    /** Each key appears between the comment block before {@code header} and the next table header. */
    private static void assertDocumentedIn(String text, String header, List<String> keys) {
        int at = text.indexOf("\n" + header + "\n");
        assertThat(at).as(header).isPositive();
        int blockStart = text.lastIndexOf("\n\n", at);
        int next = text.indexOf("\n[", at + 1);
        String block = text.substring(blockStart, next < 0 ? text.length() : next);
        for (String key : keys) {
            assertThat(block).as(header + " " + key).containsPattern("(?<![\\w-])" + key + "(?![\\w-])");
        }
    }

    private KimiConfig load() {
        return new Loading(dir).loader(Map.of("KIMI_API_KEY", "k", "HOME", "/home/dev"))
                .load(new ConfigOverrides(EXAMPLE, null, null, null));
    }
}
