package io.kimi.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.config.ProviderConfig;
import io.kimi.config.ProviderType;
import io.kimi.config.RateLimit;
import io.kimi.config.Secret;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProviderErrorsTest {
    private static final String KEY = "sk-test-Abc123Def456Ghi789Jkl0Wxyz";
    private static final String KEY_TAIL = "Wxyz";
    private static final String OTHER_KEY = "sk-other-provider-key-0123456789";
    private static final SecretScrubber SECRETS = SecretScrubber.of(List.of(KEY, OTHER_KEY));

    private static final ProviderConfig PROVIDER = new ProviderConfig("kimi", ProviderType.KIMI,
            URI.create("https://api.moonshot.ai/v1"), Secret.literal(KEY), Duration.ofSeconds(5),
            Duration.ofSeconds(60), Duration.ofMinutes(10), 2, true, 8, Map.of(), RateLimit.UNLIMITED);
    private static final ProviderConfig GEMINI = new ProviderConfig("gemini", ProviderType.GEMINI,
            URI.create("https://example.invalid/v1"), Secret.literal(KEY), Duration.ofSeconds(1),
            Duration.ofSeconds(1), Duration.ofSeconds(1), 0, true, 1, Map.of(), RateLimit.UNLIMITED);

    // --- status ---

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 403, 404, 408, 413, 422, 429})
    void keepsA4xxStatus(int status) {
        OpenAiError error = map(status, "{\"error\":{\"message\":\"no\"}}");

        assertThat(error.httpStatus()).isEqualTo(status);
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 502, 503, 504, 529})
    void mapsA5xxStatusTo502(int status) {
        OpenAiError error = map(status, "{\"error\":{\"message\":\"overloaded\"}}");

        assertThat(error.httpStatus()).isEqualTo(502);
        assertThat(error.message()).contains("answered " + status);
    }

    @Test
    void mapsANonErrorStatusTo502() {
        OpenAiError error = map(302, "");

        assertThat(error.httpStatus()).isEqualTo(502);
    }

    @Test
    void copiesRetryAfterOfA429() {
        HttpResponse response = response(429);
        response.headers().set(HttpHeaderNames.RETRY_AFTER, "17");

        OpenAiError error = ProviderErrors.map(PROVIDER, response,
                "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"rate_limit_error\"}}", SECRETS);

        assertThat(error.httpStatus()).isEqualTo(429);
        assertThat(error.retryAfterSeconds()).isEqualTo("17");
        assertThat(error.type()).isEqualTo("rate_limit_error");
        assertThat(ErrorResponses.toResponse(error)).satisfies(r -> {
            try {
                assertThat(r.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("17");
            } finally {
                r.release();
            }
        });
    }

    @Test
    void hasNoRetryAfterWhenTheProviderSentNone() {
        assertThat(map(429, "").retryAfterSeconds()).isNull();
    }

    // --- message, type, code ---

    @Test
    void usesTheUpstreamErrorMessageTypeCodeAndParam() {
        OpenAiError error = map(400, """
                {"error":{"message":"Invalid 'messages[0].role'","type":"invalid_request_error",
                          "param":"messages","code":"invalid_value"}}
                """);

        assertThat(error.message()).isEqualTo("Provider 'kimi' answered 400: Invalid 'messages[0].role'");
        assertThat(error.type()).isEqualTo("invalid_request_error");
        assertThat(error.code()).isEqualTo("invalid_value");
        assertThat(error.param()).isEqualTo("messages");
    }

    @Test
    void aNumericUpstreamCodeBecomesText() {
        OpenAiError error = map(400, "{\"error\":{\"message\":\"bad\",\"code\":400}}");

        assertThat(error.code()).isEqualTo("400");
    }

    @Test
    void fallsBackToATypeAndCodeFromTheStatus() {
        assertThat(map(401, "{\"error\":{\"message\":\"m\"}}")).satisfies(e -> {
            assertThat(e.type()).isEqualTo("authentication_error");
            assertThat(e.code()).isEqualTo("upstream_401");
        });
        assertThat(map(403, "").type()).isEqualTo("permission_error");
        assertThat(map(404, "").type()).isEqualTo("not_found_error");
        assertThat(map(429, "").type()).isEqualTo("rate_limit_error");
        assertThat(map(422, "").type()).isEqualTo("invalid_request_error");
        assertThat(map(503, "")).satisfies(e -> {
            assertThat(e.type()).isEqualTo("upstream_error");
            assertThat(e.code()).isEqualTo("upstream_503");
        });
    }

    @Test
    void aNullUpstreamCodeFallsBackToTheStatusCode() {
        OpenAiError error = map(404, "{\"error\":{\"message\":\"Model not found\",\"type\":null,\"code\":null}}");

        assertThat(error.code()).isEqualTo("upstream_404");
        assertThat(error.type()).isEqualTo("not_found_error");
    }

    @Test
    void usesATextualErrorField() {
        assertThat(map(400, "{\"error\":\"context too long\"}").message()).endsWith(": context too long");
    }

    @Test
    void usesATopLevelMessageField() {
        assertThat(map(400, "{\"object\":\"error\",\"message\":\"max_tokens too large\"}").message())
                .endsWith(": max_tokens too large");
    }

    @Test
    void usesTheReasonPhraseWhenTheBodyIsEmpty() {
        assertThat(map(503, "").message()).isEqualTo("Provider 'kimi' answered 503: Service Unavailable");
        assertThat(map(404, "   ").message()).isEqualTo("Provider 'kimi' answered 404: Not Found");
    }

    @Test
    void usesTheReasonPhraseWhenTheJsonHasNoMessage() {
        assertThat(map(500, "{\"foo\":1}").message()).isEqualTo("Provider 'kimi' answered 500: Internal Server Error");
        assertThat(map(400, "{\"error\":{\"message\":\"\"}}").message())
                .isEqualTo("Provider 'kimi' answered 400: Bad Request");
    }

    @Test
    void usesTheRawBodyWhenItIsNotJson() {
        OpenAiError error = map(502, "  <html><body>Bad gateway from nginx</body></html>\n");

        assertThat(error.message()).isEqualTo(
                "Provider 'kimi' answered 502: <html><body>Bad gateway from nginx</body></html>");
    }

    @Test
    void usesTheRawBodyOfPlainText() {
        assertThat(map(429, "Too many requests, slow down").message())
                .isEqualTo("Provider 'kimi' answered 429: Too many requests, slow down");
    }

    @Test
    void usesTheWholePlainTextBodyEvenWhenItStartsWithANumber() {
        assertThat(map(404, "404 page not found").message())
                .isEqualTo("Provider 'kimi' answered 404: 404 page not found");
    }

    @Test
    void keepsTheMessageOfAGeminiErrorWrappedInAnArray() {
        String body = "[{\"error\":{\"code\":400,\"message\":\"Invalid JSON payload received.\","
                + "\"status\":\"INVALID_ARGUMENT\"}}]";

        OpenAiError error = ProviderErrors.map(GEMINI, response(400), body, SECRETS);

        assertThat(error.message()).contains("Invalid JSON payload received.");
        assertThat(error.httpStatus()).isEqualTo(400);
    }

    @Test
    void authenticationErrorsTellWhereToCheckTheKey() {
        assertThat(map(401, "{\"error\":{\"message\":\"Invalid Authentication\"}}").message())
                .isEqualTo("Provider 'kimi' answered 401: Invalid Authentication"
                        + " (check the API key configured for provider 'kimi')");
        assertThat(map(403, "").message()).contains("(check the API key configured for provider 'kimi')");
        assertThat(map(400, "").message()).doesNotContain("check the API key");
    }

    // --- secrets ---

    @Test
    void neverEchoesTheApiKeyFromAJsonMessage() {
        OpenAiError error = map(401, "{\"error\":{\"message\":\"Incorrect API key provided: " + KEY
                + ". You can find your API key at https://platform.openai.com/account/api-keys.\"}}");

        assertThat(error.message()).doesNotContain(KEY).doesNotContain(KEY_TAIL).contains("[REDACTED]")
                .contains("You can find your API key");
        assertThat(new String(error.toJsonBytes(), StandardCharsets.UTF_8)).doesNotContain(KEY_TAIL);
    }

    @Test
    void neverEchoesTheLastFourCharactersOfAMaskedKey() {
        OpenAiError error = map(401, "{\"error\":{\"message\":\"Incorrect API key provided: sk-test-***********"
                + KEY_TAIL + ".\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}");

        assertThat(error.message()).doesNotContain(KEY_TAIL).endsWith("(check the API key configured for provider 'kimi')");
        assertThat(error.code()).isEqualTo("invalid_api_key");
    }

    @Test
    void neverEchoesTheApiKeyFromARawBody() {
        OpenAiError error = map(500, "upstream failed for Authorization: Bearer " + KEY + " (masked sk-..."
                + KEY_TAIL + ")");

        assertThat(error.message()).isEqualTo("Provider 'kimi' answered 500: upstream failed for Authorization: "
                + "Bearer [REDACTED] (masked [REDACTED])");
    }

    @Test
    void neverEchoesTheApiKeyFromATopLevelMessage() {
        OpenAiError error = map(401, "{\"message\":\"key " + KEY + " revoked\"}");

        assertThat(error.message()).doesNotContain(KEY).doesNotContain(KEY_TAIL).contains("key [REDACTED] revoked");
    }

    @Test
    void neverEchoesASecretFromTheTypeCodeOrParam() {
        OpenAiError error = map(401, "{\"error\":{\"message\":\"no\",\"type\":\"" + KEY + "\",\"code\":\"Bearer "
                + KEY + "\",\"param\":\"" + OTHER_KEY + "\"}}");

        assertThat(error.type()).isEqualTo("[REDACTED]");
        assertThat(error.code()).isEqualTo("Bearer [REDACTED]");
        assertThat(error.param()).isEqualTo("[REDACTED]");
    }

    @Test
    void neverEchoesASecretFromNestedFieldsOfTheTypeCodeOrParam() {
        OpenAiError error = map(400, "{\"error\":{\"message\":\"no\",\"type\":{\"t\":\"" + KEY + "\"},"
                + "\"code\":[\"" + OTHER_KEY + "\"],\"param\":{\"p\":{\"q\":\"" + KEY + "\"}}}}");

        assertThat(new String(error.toJsonBytes(), StandardCharsets.UTF_8)).doesNotContain(KEY).doesNotContain(
                OTHER_KEY).contains("{\\\"t\\\":\\\"[REDACTED]\\\"}");
    }

    @Test
    void neverEchoesAnotherProvidersKey() {
        assertThat(map(400, "{\"error\":{\"message\":\"wrong key " + OTHER_KEY + "\"}}").message())
                .isEqualTo("Provider 'kimi' answered 400: wrong key [REDACTED]");
    }

    @Test
    void typeCodeAndParamAreBounded() {
        OpenAiError error = map(400, "{\"error\":{\"message\":\"m\",\"type\":\"" + "t".repeat(5000)
                + "\",\"code\":\"" + "c".repeat(5000) + "\",\"param\":\"" + "p".repeat(5000) + "\"}}");

        assertThat(error.type()).hasSize(201).endsWith("t…");
        assertThat(error.code()).hasSize(201);
        assertThat(error.param()).hasSize(201);
    }

    @ParameterizedTest
    @ValueSource(strings = {"17", "0", "Wed, 21 Oct 2015 07:28:00 GMT"})
    void keepsAValidRetryAfter(String value) {
        assertThat(ProviderErrors.retryAfter(value)).isEqualTo(value);
    }

    @ParameterizedTest
    @ValueSource(strings = {KEY, "-1", "1.5", "soon", "99999999999", ""})
    void dropsARetryAfterThatIsNeitherSecondsNorADate(String value) {
        assertThat(ProviderErrors.retryAfter(value)).isNull();
    }

    @Test
    void aKeyInAMessageLongerThanTheBoundIsStillScrubbed() {
        String body = "x".repeat(1995) + KEY + "y".repeat(100);

        OpenAiError error = map(400, body);

        assertThat(error.message()).doesNotContain(KEY_TAIL).doesNotContain(KEY.substring(0, 10));
    }

    // --- bounds ---

    @Test
    void theMessageLengthIsBounded() {
        OpenAiError error = map(400, "{\"error\":{\"message\":\"" + "a".repeat(100_000) + "\"}}");

        assertThat(error.message()).hasSizeLessThan(2100).endsWith("…");
        assertThat(error.message()).startsWith("Provider 'kimi' answered 400: aaaa");
    }

    @Test
    void aRawBodyIsBoundedToo() {
        OpenAiError error = map(502, "b".repeat(50_000));

        assertThat(error.message()).hasSizeLessThan(2100).endsWith("b…");
    }

    @Test
    void aShortMessageIsNotCut() {
        String text = "c".repeat(2000);

        assertThat(map(400, "{\"error\":{\"message\":\"" + text + "\"}}").message())
                .isEqualTo("Provider 'kimi' answered 400: " + text);
    }

    private static OpenAiError map(int status, String body) {
        return ProviderErrors.map(PROVIDER, response(status), body, SECRETS);
    }

    private static HttpResponse response(int status) {
        return new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
    }
}
