package io.kimi.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes {@link ConfigLoader} with the bytes of a {@code config.toml}. Oracle: loading either gives a config
 * whose cross-references hold (every model's provider is configured, windows and limits are positive) or fails
 * with a {@link ConfigException} only, never another exception, and no message of it or of its causes holds
 * the value of a secret variable the file refers to. Corpus: {@code src/test/resources/io/kimi/config/ConfigLoaderFuzzTestInputs/}.
 */
class ConfigLoaderFuzzTest {
    private static final String SECRET = "sk-fuzz-0123456789abcdefSECRET";
    private static final Map<String, String> ENV = Map.of("FUZZ_API_KEY", SECRET, "FUZZ_TOKEN", SECRET,
            "FUZZ_HOST", "127.0.0.1", "HOME", "/home/fuzz");

    @TempDir
    static Path dir;

    @FuzzTest(maxDuration = "3m")
    void loadsAConsistentConfigOrFailsWithConfigException(byte[] toml) throws IOException {
        Path file = Files.write(dir.resolve("config.toml"), toml);
        ConfigLoader loader = new ConfigLoader(ENV, dir.resolve("no-working-dir-config.toml"));

        KimiConfig config;
        try {
            config = loader.load(new ConfigOverrides(file, null, null, null));
        } catch (ConfigException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                assertThat(String.valueOf(t.getMessage())).as("a secret in a config error").doesNotContain(SECRET);
            }
            return;
        }
        for (ModelConfig model : config.models().values()) {
            assertThat(config.providers()).as("provider of model %s", model.key()).containsKey(model.provider());
            assertThat(model.contextWindow()).as("context window of %s", model.key()).isPositive();
        }
        assertThat(config.server().maxBodyBytes()).isPositive();
        assertThat(config.server().ioThreads()).isNotNegative();
        assertThat(config.server().blockingThreads()).isPositive();
    }
}
