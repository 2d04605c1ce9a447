package io.kimi.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.kimi.config.ConnectionLimits;
import io.kimi.config.KimiConfig;
import io.kimi.config.ModelConfig;
import io.kimi.config.ProviderConfig;
import io.kimi.config.ProviderType;
import io.kimi.config.RateLimit;
import io.kimi.config.Secret;
import io.kimi.config.ServerConfig;
import io.kimi.config.Thresholds;
import io.kimi.core.tokens.TokenEncoding;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelRouterTest {
    private static final ProviderConfig KIMI = provider("kimi", ProviderType.KIMI, "https://api.moonshot.ai/v1");
    private static final ProviderConfig OPENROUTER =
            provider("openrouter", ProviderType.OPENROUTER, "https://openrouter.ai/api/v1");

    private static final ModelConfig KIMI_K2 = model("kimi-k2", "kimi", "kimi-k2-0905-preview");
    private static final ModelConfig KIMI_LATEST = model("kimi-latest", "kimi", "kimi-latest");
    private static final ModelConfig DEEPSEEK_VIA_OR = model("deepseek/deepseek-chat", "openrouter", "deepseek/deepseek-chat");
    private static final ModelConfig PLAIN_CHAT = model("deepseek-chat", "kimi", "other-model");

    private final ModelRouter router = new ModelRouter(config(KIMI_K2, KIMI_LATEST, DEEPSEEK_VIA_OR));

    @Test
    void resolvesAnExactKey() {
        Route route = router.resolve("kimi-k2");

        assertThat(route.requestedModel()).isEqualTo("kimi-k2");
        assertThat(route.model()).isEqualTo(KIMI_K2);
        assertThat(route.provider()).isEqualTo(KIMI);
    }

    @Test
    void resolvesThePartAfterTheFirstSlash() {
        Route route = router.resolve("moonshot/kimi-k2");

        assertThat(route.requestedModel()).isEqualTo("moonshot/kimi-k2");
        assertThat(route.model()).isEqualTo(KIMI_K2);
        assertThat(route.provider()).isEqualTo(KIMI);
    }

    @Test
    void aKeyContainingASlashMatchesExactly() {
        Route route = router.resolve("deepseek/deepseek-chat");

        assertThat(route.model()).isEqualTo(DEEPSEEK_VIA_OR);
        assertThat(route.provider()).isEqualTo(OPENROUTER);
    }

    @Test
    void anExactKeyWithASlashWinsOverTheSuffixAfterItsSlash() {
        ModelRouter both = new ModelRouter(config(DEEPSEEK_VIA_OR, PLAIN_CHAT));

        assertThat(both.resolve("deepseek/deepseek-chat").model()).isEqualTo(DEEPSEEK_VIA_OR);
        assertThat(both.resolve("deepseek-chat").model()).isEqualTo(PLAIN_CHAT);
        assertThat(both.resolve("other/deepseek-chat").model()).isEqualTo(PLAIN_CHAT);
    }

    @Test
    void theSuffixMayItselfBeAKeyWithASlash() {
        assertThat(router.resolve("openrouter/deepseek/deepseek-chat").model()).isEqualTo(DEEPSEEK_VIA_OR);
    }

    @Test
    void doesNotMatchAPrefixOfAKey() {
        assertNotFound("kimi");
    }

    @Test
    void doesNotMatchAKeyWithDifferentCase() {
        assertNotFound("Kimi-K2");
    }

    @Test
    void doesNotMatchALongerName() {
        assertNotFound("kimi-k2-turbo");
    }

    @Test
    void doesNotMatchTheLastSegmentOfASlashKey() {
        assertNotFound("deepseek-chat");
    }

    @Test
    void aTrailingSlashDoesNotMatch() {
        assertNotFound("kimi-k2/");
    }

    @Test
    void theEmptyNameDoesNotMatch() {
        assertNotFound("");
    }

    @Test
    void anUnknownModelIsA404ListingTheConfiguredModels() {
        ProxyException e = catchThrowableOfType(ProxyException.class, () -> router.resolve("kimi"));

        OpenAiError error = e.error();
        assertThat(error.httpStatus()).isEqualTo(404);
        assertThat(error.code()).isEqualTo("model_not_found");
        assertThat(error.type()).isEqualTo("invalid_request_error");
        assertThat(error.param()).isEqualTo("model");
        assertThat(error.message())
                .contains("'kimi'")
                .contains("kimi-k2, kimi-latest, deepseek/deepseek-chat");
        assertThat(e).hasMessage(error.message());
    }

    @Test
    void aModelWhoseProviderIsMissingIsA503() {
        ModelRouter broken = new ModelRouter(config(model("orphan", "nowhere", "orphan-1")));

        ProxyException e = catchThrowableOfType(ProxyException.class, () -> broken.resolve("orphan"));

        assertThat(e.error().httpStatus()).isEqualTo(503);
        assertThat(e.error().code()).isEqualTo("provider_not_configured");
        assertThat(e.error().message()).contains("'orphan'").contains("'nowhere'");
    }

    @Test
    void rejectsANullModelName() {
        assertThatNullPointerException().isThrownBy(() -> router.resolve(null)).withMessage("requestedModel");
    }

    @Test
    void rejectsANullConfig() {
        assertThatNullPointerException().isThrownBy(() -> new ModelRouter(null)).withMessage("config");
    }

    private void assertNotFound(String name) {
        ProxyException e = catchThrowableOfType(ProxyException.class, () -> router.resolve(name));

        assertThat(e).as("resolving '%s'", name).isNotNull();
        assertThat(e.error().httpStatus()).isEqualTo(404);
        assertThat(e.error().code()).isEqualTo("model_not_found");
    }

    private static KimiConfig config(ModelConfig... models) {
        Map<String, ModelConfig> byKey = new LinkedHashMap<>();
        for (ModelConfig m : models) {
            byKey.put(m.key(), m);
        }
        Map<String, ProviderConfig> providers = new LinkedHashMap<>();
        providers.put(KIMI.key(), KIMI);
        providers.put(OPENROUTER.key(), OPENROUTER);
        ServerConfig server = new ServerConfig("127.0.0.1", 0, Path.of("kimi-test.db"), 1 << 20, Secret.none(),
                false, 1, 1, Duration.ofMinutes(2), 65_536, 1000, List.of(), 64L << 20, ConnectionLimits.DEFAULTS,
                List.of(), 8 << 20);
        return new KimiConfig("test", server, providers, byKey, Thresholds.DEFAULT);
    }

    private static ProviderConfig provider(String key, ProviderType type, String baseUrl) {
        return new ProviderConfig(key, type, URI.create(baseUrl), Secret.literal("sk-" + key + "-0123456789"),
                Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofMinutes(10), 2, true, 8, Map.of(),
                RateLimit.UNLIMITED);
    }

    private static ModelConfig model(String key, String provider, String upstream) {
        return new ModelConfig(key, provider, upstream, 128_000, ModelConfig.Prices.FREE, TokenEncoding.O200K_BASE);
    }
}
