package io.kimi.services.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.kimi.config.ConfigLoader;
import io.kimi.config.ConfigOverrides;
import io.kimi.config.KimiConfig;
import io.kimi.proxy.ModelRouter;
import io.kimi.proxy.OpenAiError;
import io.kimi.proxy.ProxyException;
import io.kimi.proxy.Route;
import io.kimi.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RateLimiterTest {
    @TempDir
    Path dir;

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    RateLimiter limiter;
    Route requestLimited;
    Route tokenLimited;
    Route both;
    Route unlimited;

    @BeforeEach
    void setUp() throws Exception {
        Path file = dir.resolve("config.toml");
        Files.writeString(file, String.join("\n",
                "[providers.req]", "type = \"openai-compatible\"", "base_url = \"http://127.0.0.1:1/v1\"",
                "requests_per_minute = 2",
                "[providers.tok]", "type = \"openai-compatible\"", "base_url = \"http://127.0.0.1:2/v1\"",
                "tokens_per_minute = 1000",
                "[providers.both]", "type = \"openai-compatible\"", "base_url = \"http://127.0.0.1:3/v1\"",
                "requests_per_minute = 60", "tokens_per_minute = 600",
                "[providers.free]", "type = \"openai-compatible\"", "base_url = \"http://127.0.0.1:4/v1\"",
                "[models.r]", "provider = \"req\"", "context_window = 100000",
                "[models.t]", "provider = \"tok\"", "context_window = 100000",
                "[models.b]", "provider = \"both\"", "context_window = 100000",
                "[models.f]", "provider = \"free\"", "context_window = 100000", ""));
        KimiConfig config = new ConfigLoader(Map.of()).load(new ConfigOverrides(file, null, null, null));
        limiter = new RateLimiter(config, clock);
        ModelRouter router = new ModelRouter(config);
        requestLimited = router.resolve("r");
        tokenLimited = router.resolve("t");
        both = router.resolve("b");
        unlimited = router.resolve("f");
    }

    private OpenAiError refused(Route route, int prompt) {
        ProxyException e = catchThrowableOfType(ProxyException.class, () -> limiter.acquire(route, prompt));
        assertThat(e).as("expected a refusal").isNotNull();
        return e.error();
    }

    private RateLimitUsage usage(String provider) {
        return limiter.usage().stream().filter(u -> u.provider().equals(provider)).findFirst().orElseThrow();
    }

    @Test
    void requestsOverTheLimitAreRefusedWith429AndRetryAfter() {
        limiter.acquire(requestLimited, 10);
        limiter.acquire(requestLimited, 10);

        OpenAiError error = refused(requestLimited, 10);

        assertThat(error.httpStatus()).isEqualTo(429);
        assertThat(error.type()).isEqualTo("rate_limit_error");
        assertThat(error.code()).isEqualTo("rate_limit_exceeded");
        // Two per minute refill one every 30 s.
        assertThat(error.retryAfterSeconds()).isEqualTo("30");
        assertThat(error.message()).contains("provider 'req'", "2 requests per minute", "Retry in 30 s");
        assertThat(new String(error.toJsonBytes(), StandardCharsets.UTF_8))
                .contains("\"type\":\"rate_limit_error\"", "\"code\":\"rate_limit_exceeded\"");
    }

    @Test
    void retryAfterIsRoundedUpAndAtLeastOneSecond() {
        limiter.acquire(requestLimited, 1);
        limiter.acquire(requestLimited, 1);
        clock.advance(Duration.ofMillis(29_500));

        assertThat(refused(requestLimited, 1).retryAfterSeconds()).isEqualTo("1");

        clock.advance(Duration.ofMillis(499));
        assertThat(refused(requestLimited, 1).retryAfterSeconds()).isEqualTo("1");
    }

    @Test
    void theLimitRefillsWithinAMinute() {
        limiter.acquire(requestLimited, 1);
        limiter.acquire(requestLimited, 1);
        refused(requestLimited, 1);

        clock.advance(Duration.ofSeconds(30));
        limiter.acquire(requestLimited, 1);
        refused(requestLimited, 1);

        clock.advance(Duration.ofMinutes(1));
        limiter.acquire(requestLimited, 1);
        limiter.acquire(requestLimited, 1);
        refused(requestLimited, 1);
    }

    @Test
    void aRefusedRequestTakesNothing() {
        limiter.acquire(both, 500);
        OpenAiError error = refused(both, 200);

        assertThat(error.message()).contains("600 tokens per minute", "needs about 200", "100 are left")
                .doesNotContain("requests per minute");
        assertThat(usage("both").requestsAvailable()).isEqualTo(59);
        assertThat(usage("both").tokensAvailable()).isEqualTo(100);
    }

    @Test
    void tokensArePromptEstimatesUpFrontAndCorrectedByTheCountedUsage() {
        RateLimiter.Permit permit = limiter.acquire(tokenLimited, 300);
        assertThat(permit.reservedTokens()).isEqualTo(300);
        assertThat(usage("tok").tokensAvailable()).isEqualTo(700);

        // Used more than estimated (prompt 350 + completion 150): the extra 200 is taken.
        permit.settle(500);
        assertThat(usage("tok").tokensAvailable()).isEqualTo(500);

        // Used less (the request failed before the provider counted anything): all of it comes back.
        RateLimiter.Permit failed = limiter.acquire(tokenLimited, 400);
        assertThat(usage("tok").tokensAvailable()).isEqualTo(100);
        failed.settle(0);
        assertThat(usage("tok").tokensAvailable()).isEqualTo(500);
    }

    @Test
    void settlingNeverGoesBelowZeroNorAboveTheLimitAndCountsOnce() {
        RateLimiter.Permit big = limiter.acquire(tokenLimited, 900);
        big.settle(5000);
        assertThat(usage("tok").tokensAvailable()).isZero();
        big.settle(0);
        assertThat(usage("tok").tokensAvailable()).as("a second settle does nothing").isZero();

        clock.advance(Duration.ofMinutes(1));
        RateLimiter.Permit small = limiter.acquire(tokenLimited, 10);
        clock.advance(Duration.ofMinutes(1));
        small.settle(0);
        assertThat(usage("tok").tokensAvailable()).isEqualTo(1000);
    }

    @Test
    void overTokenLimitIsRefusedUntilEnoughTokensRefill() {
        limiter.acquire(tokenLimited, 1000);

        OpenAiError error = refused(tokenLimited, 500);

        // 1000 per minute: 500 tokens take 30 s.
        assertThat(error.retryAfterSeconds()).isEqualTo("30");
        clock.advance(Duration.ofSeconds(30));
        limiter.acquire(tokenLimited, 500);
    }

    @Test
    void bothLimitsReachedNameBothAndWaitForTheLater() {
        limiter.acquire(both, 600);
        for (int i = 0; i < 59; i++) {
            limiter.acquire(both, 0);
        }

        OpenAiError error = refused(both, 300);

        assertThat(error.message()).contains("60 requests per minute and 600 tokens per minute");
        // One request is back after 1 s, 300 tokens after 30 s.
        assertThat(error.retryAfterSeconds()).isEqualTo("30");
    }

    @Test
    void aPromptLargerThanAMinutesTokensIsRefusedWithoutRetryAfter() {
        OpenAiError error = refused(tokenLimited, 1001);

        assertThat(error.httpStatus()).isEqualTo(429);
        assertThat(error.code()).isEqualTo("rate_limit_exceeded");
        assertThat(error.retryAfterSeconds()).isNull();
        assertThat(error.message()).contains("about 1001 tokens", "tokens_per_minute = 1000", "can never pass");
        assertThat(usage("tok").tokensAvailable()).isEqualTo(1000);
    }

    @Test
    void anUnlimitedProviderIsNeverRefused() {
        for (int i = 0; i < 10_000; i++) {
            assertThat(limiter.acquire(unlimited, 1_000_000)).isSameAs(RateLimiter.Permit.NONE);
        }
        RateLimiter.Permit.NONE.settle(5);
        RateLimiter.Permit.NONE.release();
    }

    @Test
    void releaseGivesTheRequestAndItsTokensBack() {
        RateLimiter.Permit permit = limiter.acquire(both, 250);
        assertThat(usage("both").requestsAvailable()).isEqualTo(59);

        permit.release();
        permit.settle(600);

        assertThat(usage("both").requestsAvailable()).isEqualTo(60);
        assertThat(usage("both").tokensAvailable()).isEqualTo(600);
    }

    @Test
    void usageListsEveryProviderInConfigurationOrderWithNullsForLimitsNotSet() {
        limiter.acquire(requestLimited, 10);

        assertThat(limiter.usage()).containsExactly(
                new RateLimitUsage("req", 2, null, 1L, null, true),
                new RateLimitUsage("tok", null, 1000L, null, 1000L, true),
                new RateLimitUsage("both", 60, 600L, 60L, 600L, true),
                RateLimitUsage.unlimited("free"));
    }
}
