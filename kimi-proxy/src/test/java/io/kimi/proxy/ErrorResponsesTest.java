package io.kimi.proxy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpVersion;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ErrorResponsesTest {

    @Test
    void answersWithTheErrorStatus() {
        withResponse(OpenAiError.of(404, "invalid_request_error", "model_not_found", "nope"), r -> {
            assertThat(r.status().code()).isEqualTo(404);
            assertThat(r.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_1);
        });
    }

    @Test
    void theBodyIsTheErrorJson() {
        OpenAiError error = new OpenAiError(429, "slow \"down\" é", "rate_limit_error", "rate_limited", null, "3");

        withResponse(error, r -> assertThat(r.content().toString(UTF_8))
                .isEqualTo(new String(error.toJsonBytes(), UTF_8))
                .startsWith("{\"error\":{\"message\":\"slow \\\"down\\\" é\""));
    }

    @Test
    void setsContentTypeJson() {
        withResponse(OpenAiError.badRequest("m", "c", null),
                r -> assertThat(r.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json"));
    }

    @Test
    void setsContentLengthInBytes() {
        OpenAiError error = OpenAiError.badRequest("multi-byte: 日本語 🎉", "c", null);

        withResponse(error, r -> {
            assertThat(r.headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(error.toJsonBytes().length);
            assertThat(r.headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(r.content().readableBytes());
            assertThat(r.headers().getInt(HttpHeaderNames.CONTENT_LENGTH))
                    .isGreaterThan(new String(error.toJsonBytes(), UTF_8).length());
        });
    }

    @Test
    void setsRetryAfterWhenTheErrorHasOne() {
        withResponse(new OpenAiError(503, "busy", "server_error", "busy", null, "120"),
                r -> assertThat(r.headers().getAll(HttpHeaderNames.RETRY_AFTER)).containsExactly("120"));
    }

    @Test
    void hasNoRetryAfterOtherwise() {
        withResponse(OpenAiError.of(503, "server_error", "busy", "busy"),
                r -> assertThat(r.headers().contains(HttpHeaderNames.RETRY_AFTER)).isFalse());
    }

    @Test
    void aStatusWithoutAStandardReasonPhraseStillWorks() {
        withResponse(OpenAiError.of(499, "t", "c", "m"), r -> assertThat(r.status().code()).isEqualTo(499));
    }

    @Test
    void eachCallBuildsANewResponse() {
        OpenAiError error = OpenAiError.of(400, "t", "c", "m");
        FullHttpResponse first = ErrorResponses.toResponse(error);
        FullHttpResponse second = ErrorResponses.toResponse(error);
        try {
            assertThat(first).isNotSameAs(second);
            assertThat(first.content().readableBytes()).isEqualTo(second.content().readableBytes());
        } finally {
            assertThat(first.release()).isTrue();
            assertThat(second.release()).isTrue();
        }
    }

    private static void withResponse(OpenAiError error, Consumer<FullHttpResponse> check) {
        FullHttpResponse response = ErrorResponses.toResponse(error);
        try {
            assertThat(response.refCnt()).isEqualTo(1);
            check.accept(response);
        } finally {
            assertThat(response.release()).isTrue();
            assertThat(response.refCnt()).isZero();
        }
    }
}
