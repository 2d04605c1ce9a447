package io.kimi.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code requests_per_minute} and {@code tokens_per_minute} of {@code [providers.<key>]}. */
class ProviderRateLimitTest {
    @TempDir
    Path dir;

    private static final String MODEL = """
            [models.m]
            provider = "p"
            context_window = 1000
            """;

    private KimiConfig load(String providerExtra) {
        return new Loading(dir).load("""
                [providers.p]
                type = "openai-compatible"
                base_url = "http://127.0.0.1:8000/v1"
                """ + providerExtra + "\n" + MODEL);
    }

    @Test
    void providersAreUnlimitedByDefault() {
        assertThat(load("").provider("p").orElseThrow().rateLimit()).isEqualTo(RateLimit.UNLIMITED);
        KimiConfig builtIn = new Loading(dir).loader(Map.of()).load(ConfigOverrides.none());
        assertThat(builtIn.providers().values()).allSatisfy(p -> assertThat(p.rateLimit().isLimited()).isFalse());
    }

    @Test
    void limitsAreRead() {
        RateLimit limit = load("requests_per_minute = 60\ntokens_per_minute = 100000\n").provider("p").orElseThrow()
                .rateLimit();

        assertThat(limit).isEqualTo(new RateLimit(60, 100_000));
        assertThat(limit.isLimited()).isTrue();
    }

    @Test
    void eitherLimitAloneMakesTheProviderLimited() {
        assertThat(load("requests_per_minute = 1\n").provider("p").orElseThrow().rateLimit())
                .isEqualTo(new RateLimit(1, 0))
                .matches(RateLimit::isLimited);
        assertThat(load("tokens_per_minute = 5000\n").provider("p").orElseThrow().rateLimit())
                .isEqualTo(new RateLimit(0, 5000))
                .matches(RateLimit::isLimited);
        assertThat(load("requests_per_minute = 0\ntokens_per_minute = 0\n").provider("p").orElseThrow()
                .rateLimit().isLimited()).isFalse();
    }

    @Test
    void negativeOrNonIntegerLimitsAreErrorsNamingTheKey() {
        ConfigException negative = catchThrowableOfType(ConfigException.class,
                () -> load("requests_per_minute = -1\n"));
        assertThat(negative.key()).isEqualTo("providers.p.requests_per_minute");
        assertThat(negative.reason()).isEqualTo("out of range: -1 (expected: 0-1000000000)");

        ConfigException tokens = catchThrowableOfType(ConfigException.class,
                () -> load("tokens_per_minute = -5\n"));
        assertThat(tokens.key()).isEqualTo("providers.p.tokens_per_minute");
        assertThat(tokens.reason()).startsWith("out of range: -5 (expected: 0-");

        ConfigException text = catchThrowableOfType(ConfigException.class,
                () -> load("tokens_per_minute = \"100k\"\n"));
        assertThat(text.reason()).isEqualTo("expected an integer, got string \"100k\"");
    }

    @Test
    void theRecordRejectsNegativeValues() {
        assertThatThrownBy(() -> new RateLimit(-1, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("requestsPerMinute: -1 (expected: >= 0)");
        assertThatThrownBy(() -> new RateLimit(0, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tokensPerMinute: -1 (expected: >= 0)");
    }

    @Test
    void toStringShowsTheLimit() {
        assertThat(load("requests_per_minute = 2\n").provider("p").orElseThrow().toString())
                .contains("rateLimit=RateLimit[requestsPerMinute=2, tokensPerMinute=0]");
    }
}
