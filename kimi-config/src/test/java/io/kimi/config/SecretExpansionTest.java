package io.kimi.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class SecretExpansionTest {
    @TempDir
    Path dir;

    private static String provider(String extra) {
        return """
                [providers.p]
                type = "openai"
                base_url = "https://api.example.com/v1"
                %s
                [models.m]
                provider = "p"
                context_window = 1000
                """.formatted(extra);
    }

    private KimiConfig load(String toml, Map<String, String> env) {
        return new Loading(dir).load(toml, env);
    }

    private ConfigException loadFails(String toml, Map<String, String> env) {
        try {
            load(toml, env);
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError("expected a ConfigException");
    }

    private String file() {
        return dir.resolve("config.toml").toString();
    }

    @Test
    void apiKeyVariableIsResolvedFromTheEnvironment() {
        Secret key = load(provider("api_key = \"${P_KEY}\""), Map.of("P_KEY", "sk-123"))
                .provider("p").orElseThrow().apiKey();

        assertThat(key.isResolved()).isTrue();
        assertThat(key.value()).isEqualTo("sk-123");
        assertThat(key.variable()).contains("P_KEY");
    }

    @Test
    void unsetApiKeyVariableLeavesAnUnresolvedSecretThatNamesTheVariableWhenUsed() {
        Secret key = load(provider("api_key = \"${P_KEY}\""), Map.of()).provider("p").orElseThrow().apiKey();

        assertThat(key.isConfigured()).isTrue();
        assertThat(key.isResolved()).isFalse();
        assertThatThrownBy(key::value)
                .isInstanceOfSatisfying(MissingSecretException.class,
                        e -> assertThat(e.variable()).isEqualTo("P_KEY"))
                .hasMessageContaining("P_KEY");
    }

    @Test
    void emptyApiKeyVariableCountsAsUnset() {
        Secret key = load(provider("api_key = \"${P_KEY}\""), Map.of("P_KEY", ""))
                .provider("p").orElseThrow().apiKey();

        assertThat(key.isResolved()).isFalse();
    }

    @Test
    void missingApiKeyIsNoSecret() {
        Secret key = load(provider(""), Map.of()).provider("p").orElseThrow().apiKey();

        assertThat(key.isConfigured()).isFalse();
        assertThatThrownBy(key::value).isInstanceOf(MissingSecretException.class)
                .hasMessageContaining("no API key is configured");
    }

    @Test
    void secretToStringShowsTheVariableButNeverTheValue() {
        Secret key = load(provider("api_key = \"${P_KEY}\""), Map.of("P_KEY", "sk-very-secret"))
                .provider("p").orElseThrow().apiKey();

        assertThat(key.toString()).contains("P_KEY").doesNotContain("sk-very-secret");
    }

    @Test
    void configAndProviderToStringNeverContainSecretValues() {
        String toml = """
                [server]
                auth_token = "${TOKEN}"
                """ + provider("""
                api_key = "${P_KEY}"
                [providers.p.headers]
                X-Api-Key = "${HEADER_SECRET}"
                """);
        KimiConfig config = load(toml, Map.of("TOKEN", "tok-very-secret", "P_KEY", "sk-very-secret",
                "HEADER_SECRET", "hdr-very-secret"));

        ProviderConfig p = config.provider("p").orElseThrow();
        assertThat(p.headers()).containsEntry("X-Api-Key", "hdr-very-secret");
        assertThat(p.toString()).contains("X-Api-Key", "P_KEY")
                .doesNotContain("sk-very-secret", "hdr-very-secret");
        assertThat(config.toString()).contains("P_KEY", "TOKEN")
                .doesNotContain("sk-very-secret", "hdr-very-secret", "tok-very-secret");
        assertThat(config.server().toString()).doesNotContain("tok-very-secret");
    }

    @Test
    void literalApiKeyIsAcceptedWithAWarningThatOmitsTheValue() {
        Logger logger = (Logger) LoggerFactory.getLogger(EnvExpander.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            Secret key = load(provider("api_key = \"sk-literal-secret\""), Map.of())
                    .provider("p").orElseThrow().apiKey();

            assertThat(key.value()).isEqualTo("sk-literal-secret");
            assertThat(key.variable()).isEmpty();
            assertThat(appender.list).singleElement().satisfies(event -> {
                assertThat(event.getLevel()).isEqualTo(Level.WARN);
                assertThat(event.getFormattedMessage())
                        .contains("providers.p.api_key", "literal secret", "discouraged")
                        .doesNotContain("sk-literal-secret");
            });
        } finally {
            logger.detachAppender(appender);
        }
    }

    @Test
    void variableWithFallbackUsesTheFallbackOnlyWhenUnset() {
        String toml = """
                [providers.p]
                type = "openai-compatible"
                base_url = "${P_URL:-http://127.0.0.1:8000/v1}"
                [models.m]
                provider = "p"
                context_window = 1000
                """;

        assertThat(load(toml, Map.of()).provider("p").orElseThrow().baseUrl())
                .isEqualTo(URI.create("http://127.0.0.1:8000/v1"));
        assertThat(load(toml, Map.of("P_URL", "https://llm.internal/v1")).provider("p").orElseThrow().baseUrl())
                .isEqualTo(URI.create("https://llm.internal/v1"));
    }

    @Test
    void variablesInsideBaseUrlAndHeadersAreExpanded() {
        String toml = """
                [providers.p]
                type = "openai-compatible"
                base_url = "https://${P_HOST}/v1"
                [providers.p.headers]
                X-Org = "org-${ORG}"
                [models.m]
                provider = "p"
                context_window = 1000
                """;

        ProviderConfig p = load(toml, Map.of("P_HOST", "llm.example.com", "ORG", "42")).provider("p").orElseThrow();

        assertThat(p.baseUrl()).isEqualTo(URI.create("https://llm.example.com/v1"));
        assertThat(p.headers()).containsExactlyEntriesOf(Map.of("X-Org", "org-42"));
    }

    @Test
    void unsetVariableInBaseUrlIsAnErrorNamingFileKeyAndVariable() {
        ConfigException e = loadFails("""
                [providers.p]
                type = "openai-compatible"
                base_url = "https://${P_HOST}/v1"
                """, Map.of());

        assertThat(e.source()).isEqualTo(file());
        assertThat(e.key()).isEqualTo("providers.p.base_url");
        assertThat(e.getMessage()).startsWith(file() + ": providers.p.base_url: ")
                .contains("environment variable P_HOST is not set");
    }

    @Test
    void unsetVariableInAHeaderIsAnErrorNamingFileKeyAndVariable() {
        ConfigException e = loadFails(provider("[providers.p.headers]\nX-Org = \"${ORG}\""), Map.of());

        assertThat(e.getMessage()).startsWith(file() + ": providers.p.headers.X-Org: ")
                .contains("environment variable ORG is not set");
    }

    @Test
    void malformedReferenceIsAnErrorSoItIsNeverSentUpstream() {
        ConfigException e = loadFails(provider("api_key = \"${not a var}\""), Map.of());

        assertThat(e.key()).isEqualTo("providers.p.api_key");
        assertThat(e.reason()).contains("malformed reference");
    }

    @Test
    void unterminatedReferenceIsAnError() {
        ConfigException e = loadFails(provider("api_key = \"${P_KEY\""), Map.of());

        assertThat(e.key()).isEqualTo("providers.p.api_key");
        assertThat(e.reason()).contains("unterminated");
    }

    @Test
    void wrongTypeForASecretIsReportedWithoutItsValue() {
        ConfigException e = loadFails(provider("api_key = 987654321"), Map.of());

        assertThat(e.getMessage()).contains("providers.p.api_key", "expected a string, got integer")
                .doesNotContain("987654321");
    }
}
