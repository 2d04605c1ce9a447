package io.kimi.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.config.ProviderConfig;
import io.kimi.config.ProviderType;
import io.kimi.config.RateLimit;
import io.kimi.config.Secret;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Behaviours fixed after review: hop-by-hop headers, non-JSON and Gemini error bodies, key scrubbing. */
class ReviewFindingsTest {
    private static final String KEY = "sk-test-Abc123Def456Ghi789Jkl0Wxyz";
    private static final ProviderConfig PROVIDER = new ProviderConfig("gemini", ProviderType.GEMINI,
            URI.create("https://example.invalid/v1"), Secret.literal(KEY), Duration.ofSeconds(1),
            Duration.ofSeconds(1), Duration.ofSeconds(1), 0, true, 1, Map.of(), RateLimit.UNLIMITED);
    private static final SecretScrubber SECRETS = SecretScrubber.of(List.of(KEY));

    @Test
    void headersNamedByConnectionAreHopByHopInBothDirections() {
        HttpHeaders in = new DefaultHttpHeaders().add("Connection", "keep-alive, X-Hop").add("X-Hop", "1")
                .add("X-Kept", "2");
        HttpHeaders up = new DefaultHttpHeaders();
        HttpHeaders down = new DefaultHttpHeaders();

        HeaderPolicy.copyClientHeaders(in, up);
        HeaderPolicy.copyResponseHeaders(in, down, SecretScrubber.none());

        assertThat(up.contains("X-Hop")).isFalse();
        assertThat(down.contains("X-Hop")).isFalse();
        assertThat(up.get("X-Kept")).isEqualTo("2");
        assertThat(down.get("X-Kept")).isEqualTo("2");
    }

    @Test
    void plainTextErrorBodyStartingWithANumberIsShownWhole() {
        OpenAiError e = ProviderErrors.map(PROVIDER, response(404), "404 page not found", SECRETS);

        assertThat(e.message()).isEqualTo("Provider 'gemini' answered 404: 404 page not found");
    }

    @Test
    void geminiArrayWrappedErrorKeepsItsMessage() {
        String body = "[{\"error\":{\"code\":400,\"message\":\"Invalid JSON payload received.\","
                + "\"status\":\"INVALID_ARGUMENT\"}}]";

        OpenAiError e = ProviderErrors.map(PROVIDER, response(400), body, SECRETS);

        assertThat(e.message()).contains("Invalid JSON payload received.");
        assertThat(e.httpStatus()).isEqualTo(400);
    }

    @Test
    void maskedKeyEchoesLoseTheirVisibleHeadAndTail() {
        String echoed = "Incorrect API key provided: sk-test-Abc1**********Wxyz.";

        String scrubbed = SECRETS.scrub(echoed);

        assertThat(scrubbed).doesNotContain("Abc1").doesNotContain("Wxyz").startsWith("Incorrect API key provided:");
    }

    @Test
    void remainderOfAnUnusedFramerIsEmptyNotNull() {
        SseFramer framer = new SseFramer(ByteBufAllocator.DEFAULT);

        ByteBuf rest = framer.remainder();

        assertThat(rest.readableBytes()).isZero();
        rest.release();
    }

    private static DefaultHttpResponse response(int status) {
        return new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
    }
}
