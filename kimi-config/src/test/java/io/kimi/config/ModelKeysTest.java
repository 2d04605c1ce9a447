package io.kimi.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.core.tokens.TokenEncoding;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelKeysTest {
    @TempDir
    Path dir;

    private static final String TOML = """
            [providers."my.local"]
            type = "openai-compatible"
            base_url = "http://127.0.0.1:8000/v1"

            [models."zeta/model-1.5"]
            provider = "my.local"
            context_window = 4096

            [models."kimi-k2.5"]
            provider = "my.local"
            model = "moonshotai/Kimi-K2.5"
            context_window = 262144
            input_price = 1
            cached_input_price = 0.25
            encoding = "o200k_base"

            [models.alpha]
            provider = "my.local"
            context_window = 1
            """;

    @Test
    void modelKeysKeepTheirDotsAndSlashes() {
        KimiConfig config = new Loading(dir).load(TOML);

        assertThat(config.models()).containsOnlyKeys("zeta/model-1.5", "kimi-k2.5", "alpha");
        assertThat(config.model("kimi-k2.5").orElseThrow().upstreamModel()).isEqualTo("moonshotai/Kimi-K2.5");
        assertThat(config.model("kimi-k2.5").orElseThrow().encoding()).isEqualTo(TokenEncoding.O200K_BASE);
    }

    @Test
    void providerKeysKeepTheirDots() {
        KimiConfig config = new Loading(dir).load(TOML);

        assertThat(config.providers()).containsOnlyKeys("my.local");
        assertThat(config.model("alpha").orElseThrow().provider()).isEqualTo("my.local");
    }

    @Test
    void upstreamModelDefaultsToTheKey() {
        ModelConfig m = new Loading(dir).load(TOML).model("zeta/model-1.5").orElseThrow();

        assertThat(m.key()).isEqualTo("zeta/model-1.5");
        assertThat(m.upstreamModel()).isEqualTo("zeta/model-1.5");
        assertThat(m.encoding()).isEqualTo(TokenEncoding.CL100K_BASE);
        assertThat(m.prices()).isEqualTo(ModelConfig.Prices.FREE);
    }

    @Test
    void cachedInputPriceDefaultsToTheInputPriceAndIntegersAreAcceptedAsPrices() {
        KimiConfig config = new Loading(dir).load(TOML.replace("cached_input_price = 0.25\n", ""));

        assertThat(config.model("kimi-k2.5").orElseThrow().prices()).isEqualTo(new ModelConfig.Prices(1, 0, 1));
    }

    @Test
    void modelsAndProvidersKeepFileOrder() {
        KimiConfig config = new Loading(dir).load(TOML);

        assertThat(config.models().keySet()).containsExactly("zeta/model-1.5", "kimi-k2.5", "alpha");
    }

    @Test
    void errorsInDottedModelKeysQuoteTheKey() {
        ConfigException e = Assertions.assertThrows(ConfigException.class,
                () -> new Loading(dir).load(TOML.replace("context_window = 262144", "context_window = -1")));

        assertThat(e.key()).isEqualTo("models.\"kimi-k2.5\".context_window");
    }
}
