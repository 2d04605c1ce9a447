package io.kimi.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HeaderPolicyTest {

    // --- client → provider ---

    @ParameterizedTest
    @ValueSource(strings = {
        "Host", "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authorization", "TE", "Trailer",
        "Transfer-Encoding", "Upgrade", "Content-Length", "Content-Type", "Expect", "Authorization", "Cookie",
        "Accept-Encoding", "X-Session-Id", "x-kimi-proxy-instance", "api-key", "X-Api-Key", "HTTP2-Settings",
    })
    void doesNotCopyUpstream(String name) {
        HttpHeaders client = new DefaultHttpHeaders().add(name, "value");
        HttpHeaders out = new DefaultHttpHeaders();

        HeaderPolicy.copyClientHeaders(client, out);

        assertThat(out.isEmpty()).as("%s was copied", name).isTrue();
    }

    @Test
    void doesNotCopyUpstreamWhateverTheNameCase() {
        HttpHeaders client = new DefaultHttpHeaders()
                .add("AUTHORIZATION", "Bearer client-token")
                .add("cookie", "a=b")
                .add("X-SESSION-ID", "s1")
                .add(HeaderPolicy.HOP_HEADER, "instance-1")
                .add(HeaderPolicy.SESSION_HEADER, "s2");
        HttpHeaders out = new DefaultHttpHeaders();

        HeaderPolicy.copyClientHeaders(client, out);

        assertThat(out.isEmpty()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "User-Agent", "Accept", "X-Request-Id", "OpenAI-Beta", "OpenAI-Organization", "HTTP-Referer", "X-Title",
        "X-Custom-Thing",
    })
    void copiesUpstream(String name) {
        HttpHeaders client = new DefaultHttpHeaders().add(name, "v1");
        HttpHeaders out = new DefaultHttpHeaders();

        HeaderPolicy.copyClientHeaders(client, out);

        assertThat(out.getAll(name)).containsExactly("v1");
    }

    @Test
    void copiesTheAllowedHeadersOfAMixedRequestWithTheirValues() {
        HttpHeaders client = new DefaultHttpHeaders()
                .add("Host", "127.0.0.1:8766")
                .add("User-Agent", "OpenAI/Python 1.50.0")
                .add("Accept", "text/event-stream")
                .add("Authorization", "Bearer local-token")
                .add("Content-Type", "application/json")
                .add("Content-Length", "123")
                .add("Accept-Encoding", "gzip, br")
                .add("X-Request-Id", "req-1")
                .add("OpenAI-Beta", "assistants=v2")
                .add("X-Custom", "a")
                .add("X-Custom", "b")
                .add("Connection", "keep-alive")
                .add("X-Session-Id", "my-session");
        HttpHeaders out = new DefaultHttpHeaders().add("Authorization", "Bearer provider-key");

        HeaderPolicy.copyClientHeaders(client, out);

        assertThat(out.names()).containsExactlyInAnyOrder("Authorization", "User-Agent", "Accept", "X-Request-Id",
                "OpenAI-Beta", "X-Custom");
        assertThat(out.getAll("Authorization")).containsExactly("Bearer provider-key");
        assertThat(out.get("User-Agent")).isEqualTo("OpenAI/Python 1.50.0");
        assertThat(out.get("Accept")).isEqualTo("text/event-stream");
        assertThat(out.get("X-Request-Id")).isEqualTo("req-1");
        assertThat(out.get("OpenAI-Beta")).isEqualTo("assistants=v2");
        assertThat(out.getAll("X-Custom")).containsExactly("a", "b");
    }

    // --- provider → client ---

    @ParameterizedTest
    @ValueSource(strings = {
        "Transfer-Encoding", "Connection", "Content-Length", "Set-Cookie", "Keep-Alive", "Proxy-Connection", "TE",
        "Trailer", "Upgrade", "Alt-Svc", "SET-COOKIE",
    })
    void doesNotCopyDownstream(String name) {
        HttpHeaders upstream = new DefaultHttpHeaders().add(name, "value");
        HttpHeaders out = new DefaultHttpHeaders();

        HeaderPolicy.copyResponseHeaders(upstream, out, SecretScrubber.none());

        assertThat(out.isEmpty()).as("%s was copied", name).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "Content-Type", "X-Request-Id", "OpenAI-Processing-Ms", "OpenAI-Version", "OpenAI-Organization",
        "X-RateLimit-Remaining-Requests", "Retry-After", "Cache-Control",
    })
    void copiesDownstream(String name) {
        HttpHeaders upstream = new DefaultHttpHeaders().add(name, "v");
        HttpHeaders out = new DefaultHttpHeaders();

        HeaderPolicy.copyResponseHeaders(upstream, out, SecretScrubber.none());

        assertThat(out.getAll(name)).containsExactly("v");
    }

    @Test
    void copiesTheAllowedHeadersOfAMixedResponse() {
        HttpHeaders upstream = new DefaultHttpHeaders()
                .add("Content-Type", "text/event-stream; charset=utf-8")
                .add("Transfer-Encoding", "chunked")
                .add("Connection", "keep-alive")
                .add("Content-Length", "99")
                .add("Set-Cookie", "__cf_bm=abc; path=/")
                .add("Set-Cookie", "other=1")
                .add("X-Request-Id", "req-9")
                .add("openai-processing-ms", "311");
        HttpHeaders out = new DefaultHttpHeaders();

        HeaderPolicy.copyResponseHeaders(upstream, out, SecretScrubber.none());

        assertThat(out.names()).containsExactlyInAnyOrder("Content-Type", "X-Request-Id", "openai-processing-ms");
        assertThat(out.get("Content-Type")).isEqualTo("text/event-stream; charset=utf-8");
        assertThat(out.get("x-request-id")).isEqualTo("req-9");
        assertThat(out.get("OpenAI-Processing-Ms")).isEqualTo("311");
    }

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
    void holdsBackAResponseHeaderThatRevealsAConfiguredSecret() {
        String key = "sk-test-Abc123Def456Ghi789Jkl0Wxyz";
        HttpHeaders upstream = new DefaultHttpHeaders()
                .add("Content-Type", "application/json")
                .add("X-Echo-Authorization", "Bearer " + key)
                .add("X-Request-Id", "req-9");
        HttpHeaders out = new DefaultHttpHeaders();

        int held = HeaderPolicy.copyResponseHeaders(upstream, out, SecretScrubber.of(List.of(key)));

        assertThat(held).isEqualTo(1);
        assertThat(out.names()).containsExactlyInAnyOrder("Content-Type", "X-Request-Id");
    }

    // --- event streams ---

    @ParameterizedTest
    @ValueSource(strings = {"text/event-stream", "text/event-stream; charset=utf-8", "Text/Event-Stream"})
    void recognisesAnEventStream(String type) {
        assertThat(HeaderPolicy.isEventStream(new DefaultHttpHeaders().add("Content-Type", type))).isTrue();
    }

    @Test
    void jsonOrNoContentTypeIsNotAnEventStream() {
        assertThat(HeaderPolicy.isEventStream(new DefaultHttpHeaders().add("Content-Type", "application/json")))
                .isFalse();
        assertThat(HeaderPolicy.isEventStream(new DefaultHttpHeaders())).isFalse();
    }
}
