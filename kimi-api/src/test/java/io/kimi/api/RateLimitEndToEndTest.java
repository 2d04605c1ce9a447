package io.kimi.api;

import static io.kimi.api.testing.KimiServerExtension.chatBody;
import static io.kimi.api.testing.KimiServerExtension.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kimi.api.testing.KimiServerExtension;
import io.kimi.testing.FakeUpstream;
import io.kimi.testing.MutableClock;
import io.kimi.testing.Reply;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Per-provider rate limits through a real server, with a clock the test moves. */
class RateLimitEndToEndTest {
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    FakeUpstream fake;
    FakeUpstream other;
    @RegisterExtension
    final KimiServerExtension server = new KimiServerExtension().manualStart();

    @BeforeEach
    void start() {
        fake = server.fake();
        other = server.other();
        fake.defaultReply(Reply.chatCompletion("Bonjour !", 1000, 200));
        server.providerToml("read_timeout_ms = 5000\nrequests_per_minute = 2\ntokens_per_minute = 100000").clock(clock)
                .start();
    }


    private static JsonNode provider(JsonNode rateLimit, String key) {
        for (JsonNode p : rateLimit.path("providers")) {
            if (p.path("provider").asText().equals(key)) {
                return p;
            }
        }
        throw new AssertionError("no provider " + key + " in " + rateLimit);
    }

    @Test
    void theThirdRequestInAMinuteIsRefusedWith429AndRetryAfterAndNeverSent() {
        assertThat(server.post("/v1/chat/completions", chatBody("kimi-k2", false, "")).statusCode()).isEqualTo(200);
        assertThat(server.post("/v1/chat/completions", chatBody("kimi-k2", true, "")).statusCode()).isEqualTo(200);

        HttpResponse<String> third = server.post("/v1/chat/completions", chatBody("kimi-k2", false, ""));

        assertThat(third.statusCode()).isEqualTo(429);
        assertThat(third.headers().firstValue("retry-after")).contains("30");
        assertThat(third.headers().firstValue("content-type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("application/json"));
        JsonNode error = json(third).path("error");
        assertThat(error.path("type").asText()).isEqualTo("rate_limit_error");
        assertThat(error.path("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(error.path("message").asText()).contains("provider 'fake'", "2 requests per minute",
                "Retry in 30 s");
        assertThat(fake.requests()).hasSize(2);
        JsonNode active = json(server.get("/api/sessions/active"));
        assertThat(active.path("totals").path("requests").asLong()).as("refused requests are not recorded")
                .isEqualTo(2);
        assertThat(active.path("recent_requests")).hasSize(2);
    }

    @Test
    void rateLimitRouteShowsEachProvidersLimitsAndWhatIsLeft() {
        server.post("/v1/chat/completions", chatBody("kimi-k2", false, ""));
        server.post("/v1/chat/completions", chatBody("kimi-k2", false, ""));
        server.post("/v1/chat/completions", chatBody("kimi-k2", false, ""));

        HttpResponse<String> response = server.get("/api/rate-limit");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = json(response);
        JsonNode fakeLimit = provider(body, "fake");
        assertThat(fakeLimit.path("limited").asBoolean()).isTrue();
        assertThat(fakeLimit.path("requests_per_minute").asInt()).isEqualTo(2);
        assertThat(fakeLimit.path("tokens_per_minute").asLong()).isEqualTo(100_000);
        assertThat(fakeLimit.path("requests_available").asLong()).isZero();
        // Two requests that used 1000 + 200 tokens each, as the provider reported: the estimates taken before
        // sending were corrected to that. The refused third took nothing.
        assertThat(fakeLimit.path("tokens_available").asLong()).isEqualTo(100_000 - 2 * 1200);
        JsonNode otherLimit = provider(body, "other");
        assertThat(otherLimit.path("limited").asBoolean()).isFalse();
        assertThat(otherLimit.get("requests_per_minute").isNull()).isTrue();
        assertThat(otherLimit.get("tokens_per_minute").isNull()).isTrue();
        assertThat(otherLimit.get("requests_available").isNull()).isTrue();
        assertThat(otherLimit.get("tokens_available").isNull()).isTrue();
        assertThat(body.path("providers")).extracting(p -> p.path("provider").asText())
                .containsExactly("fake", "other", "nokey");
    }

    @Test
    void theLimitRefillsAsTimePasses() {
        server.post("/v1/chat/completions", chatBody("kimi-k2", false, ""));
        server.post("/v1/chat/completions", chatBody("kimi-k2", false, ""));
        assertThat(server.post("/v1/chat/completions", chatBody("kimi-k2", false, "")).statusCode()).isEqualTo(429);

        clock.advance(Duration.ofSeconds(30));

        assertThat(server.post("/v1/chat/completions", chatBody("kimi-k2", false, "")).statusCode()).isEqualTo(200);
        assertThat(fake.requests()).hasSize(3);
    }

    @Test
    void aRefusedRequestToAnotherProviderLeavesTheActiveSessionAsItIs() {
        server.post("/v1/chat/completions", chatBody("other-model", false, ""));
        String activeId = json(server.get("/api/sessions/active")).path("session_id").asText();
        for (int i = 0; i < 2; i++) {
            assertThat(server.send(HttpRequest.newBuilder(server.uri("/v1/chat/completions"))
                    .header("Content-Type", "application/json").header("X-Session-Id", "side-session")
                    .POST(HttpRequest.BodyPublishers.ofString(chatBody("kimi-k2", false, ""))))
                    .statusCode()).isEqualTo(200);
        }

        assertThat(server.post("/v1/chat/completions", chatBody("kimi-k2", false, "")).statusCode()).isEqualTo(429);

        JsonNode active = json(server.get("/api/sessions/active"));
        assertThat(active.path("session_id").asText()).isEqualTo(activeId);
        assertThat(active.path("provider").asText()).isEqualTo("other");
        assertThat(json(server.get("/api/sessions?kind=proxy")).path("total").asInt()).isEqualTo(2);
    }

    @Test
    void otherProvidersAreNotLimited() {
        for (int i = 0; i < 5; i++) {
            assertThat(server.post("/v1/chat/completions", chatBody("other-model", false, "")).statusCode())
                    .isEqualTo(200);
        }
        assertThat(other.requests()).hasSize(5);
    }
}
