package io.kimi.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigValidationTest {
    @TempDir
    Path dir;

    private static final String PROVIDER = """
            [providers.p]
            type = "openai"
            base_url = "https://api.example.com/v1"
            """;

    private ConfigException loadFails(String toml) {
        try {
            new Loading(dir).load(toml, Map.of());
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError("expected a ConfigException");
    }

    /** Asserts the message is exactly {@code <file>: <key>: <reason...>} and returns the reason. */
    private String failure(String toml, String key) {
        ConfigException e = loadFails(toml);
        String file = dir.resolve("config.toml").toString();
        assertThat(e.source()).isEqualTo(file);
        assertThat(e.key()).isEqualTo(key);
        assertThat(e.getMessage()).isEqualTo(file + ": " + key + ": " + e.reason());
        return e.reason();
    }

    private static String model(String body) {
        return PROVIDER + "[models.m]\nprovider = \"p\"\n" + body;
    }

    @Test
    void unknownTopLevelTableIsRejectedListingTheAcceptedOnes() {
        assertThat(failure("[sever]\nport = 1\n", "sever"))
                .contains("unknown key", "server, thresholds, providers, models", "did you mean \"server\"");
    }

    @Test
    void unknownKeyTypoInAProviderSuggestsTheAcceptedKey() {
        String reason = failure("""
                [providers.p]
                type = "openai"
                base_ur1 = "https://api.example.com/v1"
                """, "providers.p.base_ur1");

        assertThat(reason).contains("unknown key", "base_url", "api_key", "headers", "did you mean \"base_url\"");
    }

    @Test
    void unknownKeyInServerIsRejected() {
        assertThat(failure("[server]\nprot = 1\n", "server.prot")).contains("did you mean \"port\"");
    }

    @Test
    void unrelatedUnknownKeyGetsNoSuggestion() {
        assertThat(failure("[server]\ncolour = \"blue\"\n", "server.colour"))
                .contains("unknown key")
                .doesNotContain("did you mean");
    }

    @Test
    void wrongValueTypeNamesExpectedAndActualType() {
        assertThat(failure("[server]\nport = \"abc\"\n", "server.port"))
                .isEqualTo("expected an integer, got string \"abc\"");
    }

    @Test
    void floatWhereAnIntegerIsExpectedIsRejected() {
        assertThat(failure("[server]\nblocking_threads = 1.5\n", "server.blocking_threads"))
                .isEqualTo("expected an integer, got float 1.5");
    }

    @Test
    void booleanKeyRejectsAString() {
        assertThat(failure("[server]\nallow_unauthenticated_remote = \"yes\"\n",
                "server.allow_unauthenticated_remote")).contains("expected a boolean", "string \"yes\"");
    }

    @Test
    void portOutOfRangeIsRejected() {
        assertThat(failure("[server]\nport = 70000\n", "server.port"))
                .isEqualTo("out of range: 70000 (expected: 0-65535)");
    }

    @Test
    void sectionThatIsNotATableIsRejected() {
        assertThat(failure("server = 5\n", "server")).isEqualTo("expected a table, got integer 5");
    }

    @Test
    void baseUrlMustBeAbsoluteHttpOrHttps() {
        assertThat(failure("""
                [providers.p]
                type = "openai"
                base_url = "ftp://api.example.com/v1"
                """, "providers.p.base_url")).contains("expected an absolute http or https URL", "ftp://");
        assertThat(failure("""
                [providers.p]
                type = "openai"
                base_url = "api.example.com/v1"
                """, "providers.p.base_url")).contains("expected an absolute http or https URL");
    }

    @Test
    void baseUrlIsRequired() {
        assertThat(failure("[providers.p]\ntype = \"openai\"\n", "providers.p.base_url")).startsWith("missing");
    }

    @Test
    void baseUrlMustNotCarryCredentials() {
        assertThat(failure("""
                [providers.p]
                type = "openai"
                base_url = "https://user:pw@api.example.com/v1"
                """, "providers.p.base_url")).contains("must not contain credentials").doesNotContain("pw@");
    }

    @Test
    void unknownProviderTypeListsTheAcceptedTypes() {
        assertThat(failure("""
                [providers.p]
                type = "anthropic"
                base_url = "https://api.example.com/v1"
                """, "providers.p.type")).isEqualTo("unknown provider type \"anthropic\" (accepted: kimi, moonshot, "
                + "openai, openrouter, mistral, gemini, nvidia, groq, deepseek, openai-compatible)");
    }

    @Test
    void providerTypeDefaultsToTheKeyWhenTheKeyNamesAType() {
        KimiConfig config = new Loading(dir).load("""
                [providers.groq]
                base_url = "https://api.groq.com/openai/v1"
                [providers.moonshot]
                base_url = "https://api.moonshot.ai/v1"
                """);

        assertThat(config.provider("groq").orElseThrow().type()).isEqualTo(ProviderType.GROQ);
        assertThat(config.provider("moonshot").orElseThrow().type()).isEqualTo(ProviderType.KIMI);
    }

    @Test
    void providerTypeIsRequiredWhenTheKeyIsNotATypeName() {
        assertThat(failure("[providers.mine]\nbase_url = \"https://x.example/v1\"\n", "providers.mine.type"))
                .startsWith("missing (accepted: kimi");
    }

    @Test
    void modelReferencingAMissingProviderNamesTheDefinedOnes() {
        assertThat(failure(PROVIDER + """
                [models."kimi-k2"]
                provider = "kimi"
                context_window = 1000
                """, "models.kimi-k2.provider"))
                .isEqualTo("no provider \"kimi\" is defined (defined providers: p)");
    }

    @Test
    void contextWindowBelowOneIsRejected() {
        assertThat(failure(model("context_window = 0\n"), "models.m.context_window"))
                .isEqualTo("out of range: 0 (expected: >= 1)");
    }

    @Test
    void contextWindowIsRequired() {
        assertThat(failure(model(""), "models.m.context_window")).startsWith("missing");
    }

    @Test
    void negativePriceIsRejected() {
        assertThat(failure(model("context_window = 1000\noutput_price = -1.5\n"), "models.m.output_price"))
                .isEqualTo("out of range: -1.5 (expected: >= 0)");
    }

    @Test
    void nonFinitePriceIsRejected() {
        assertThat(failure(model("context_window = 1000\ninput_price = inf\n"), "models.m.input_price"))
                .contains("expected a finite number");
    }

    @Test
    void unknownEncodingListsTheAcceptedOnes() {
        assertThat(failure(model("context_window = 1000\nencoding = \"p50k_base\"\n"), "models.m.encoding"))
                .isEqualTo("unknown encoding \"p50k_base\" (accepted: cl100k_base, o200k_base)");
    }

    @Test
    void thresholdsOutOfOrderAreRejected() {
        assertThat(failure("[thresholds]\nwarning = 90\nhigh = 85\n", "thresholds"))
                .isEqualTo("expected 0 < warning < high < critical <= 100 (percent of the context window), "
                        + "got warning = 90, high = 85, critical = 95");
    }

    @Test
    void criticalThresholdAbove100IsRejected() {
        assertThat(failure("[thresholds]\ncritical = 101\n", "thresholds")).contains("critical = 101");
    }

    @Test
    void partialThresholdsKeepTheOtherDefaults() {
        Thresholds t = new Loading(dir).load("[thresholds]\nwarning = 50.5\n").thresholds();

        assertThat(t).isEqualTo(new Thresholds(50.5, 85, 95));
    }

    @Test
    void theLevelsAreNamedLikeTheKeysAndStartAtTheirThresholds() {
        Thresholds t = new Loading(dir).load("[thresholds]\nwarning = 60\nhigh = 80\ncritical = 90\n").thresholds();

        assertThat(t.level(59.99)).isEqualTo("normal");
        assertThat(t.level(60)).isEqualTo("warning");
        assertThat(t.level(80)).isEqualTo("high");
        assertThat(t.level(90)).isEqualTo("critical");
        assertThat(t.level(140)).isEqualTo("critical");
        assertThat(Thresholds.LEVELS).containsExactly("warning", "high", "critical");
    }

    @Test
    void zeroOrNegativeTimeoutIsRejected() {
        assertThat(failure(PROVIDER + "read_timeout_ms = 0\n", "providers.p.read_timeout_ms"))
                .startsWith("out of range: 0 (expected: 1-");
        assertThat(failure(PROVIDER + "connect_timeout_ms = -5\n", "providers.p.connect_timeout_ms"))
                .startsWith("out of range: -5");
    }

    @Test
    void invalidHeaderNameIsRejected() {
        assertThat(failure(PROVIDER + "[providers.p.headers]\n\"Bad Header\" = \"x\"\n",
                "providers.p.headers.\"Bad Header\"")).isEqualTo("not a valid HTTP header name");
    }

    @Test
    void tomlSyntaxErrorNamesTheFileAndLine() {
        ConfigException e = loadFails("""
                [server]
                host = "127.0.0.1"

                # comment
                port = 12x
                """);

        String file = dir.resolve("config.toml").toString();
        assertThat(e.source()).isEqualTo(file);
        assertThat(e.key()).isEmpty();
        assertThat(e.getMessage()).startsWith(file + ": not valid TOML: ").contains("12x").endsWith("(line 5)");
    }

    @Test
    void duplicateTableIsATomlError() {
        assertThat(loadFails("[server]\nport = 1\n[server]\nhost = \"x\"\n").reason())
                .startsWith("not valid TOML:").endsWith("(line 3)");
    }

    @Test
    void providerTimeoutsAndLimitsAreRead() {
        ProviderConfig p = new Loading(dir).load(PROVIDER + """
                connect_timeout_ms = 1500
                read_timeout_ms = 2500
                total_timeout_ms = 3500
                max_retries = 0
                stream_usage = false
                max_connections = 8
                """).provider("p").orElseThrow();

        assertThat(p.connectTimeout().toMillis()).isEqualTo(1500);
        assertThat(p.readTimeout().toMillis()).isEqualTo(2500);
        assertThat(p.totalTimeout().toMillis()).isEqualTo(3500);
        assertThat(p.maxRetries()).isZero();
        assertThat(p.streamUsage()).isFalse();
        assertThat(p.maxConnections()).isEqualTo(8);
    }
}
