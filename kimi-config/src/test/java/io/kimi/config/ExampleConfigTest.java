package io.kimi.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
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
        KimiConfig config = new Loading(dir).loader(Map.of("KIMI_API_KEY", "k"))
                .load(new ConfigOverrides(EXAMPLE, null, null, null));

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
    void exampleConfigMentionsEveryAcceptedKey() throws Exception {
        String text = Files.readString(EXAMPLE);

        for (List<String> keys : List.of(ServerSection.KEYS, ThresholdsSection.KEYS, ProvidersSection.KEYS,
                ModelsSection.KEYS, ConvergenceSection.KEYS, ConfigLoader.TOP_LEVEL_KEYS)) {
            for (String key : keys) {
                assertThat(text).as(key).containsPattern("(?<![\\w-])" + key + "(?![\\w-])");
            }
        }
    }
}
