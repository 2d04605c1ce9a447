package io.kimi.api;

import static io.kimi.api.testing.KimiServerExtension.chatBody;
import static io.kimi.api.testing.KimiServerExtension.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kimi.testing.PrometheusText;
import io.kimi.testing.Reply;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the proxy does with replies that are large or not what a chat completion should be, through a real server,
 * a real SQLite file and a fake provider on loopback: large replies pass whole (relaying them is linear in their
 * size), a stream event over the limit is refused, and a 2xx reply that is not a chat completion passes unchanged
 * but is recorded as {@code malformed_reply}.
 */
class ReplyRelayEndToEndTest extends EndToEndTest {
    private static final int MIB = 1 << 20;
    /** A total timeout generous for a linear relay of a 24 MiB body, short for the quadratic one it replaced. */
    private static final String PROVIDER_TIMEOUTS = "read_timeout_ms = 10000\ntotal_timeout_ms = 15000";
    /**
     * For a stream whose event the fake builds after sending the headers (splitting and encoding 24 MiB or more on
     * a loaded machine takes seconds) and the tests' paranoid leak detection: still far below what the framer that
     * copied its held-back bytes at every read needed (minutes).
     */
    private static final String STREAM_TIMEOUTS = "read_timeout_ms = 60000\ntotal_timeout_ms = 60000";

    @BeforeEach
    void restartWithATotalTimeout() {
        restartWith(PROVIDER_TIMEOUTS, "server");
    }

    private void restartWith(String providerTimeouts, String name) {
        server.restart(s -> s.providerToml(providerTimeouts));
    }

    @Test
    void aReplyOf24MebibytesIsRelayedWholeWithinTheTotalTimeoutAndItsUsageRecorded() {
        String body = chatCompletionOf(24 * MIB, 1_000, 5_000_000);
        fake.enqueue(Reply.json(200, body));

        HttpResponse<String> response = post(chatBody("kimi-k2", false, ""));

        assertThat(response.statusCode()).as(errorOf(response)).isEqualTo(200);
        assertThat(response.body().length()).isEqualTo(body.length());
        assertThat(sha256(response.body())).as("the relayed body is the provider's").isEqualTo(sha256(body));
        JsonNode request = lastRequest();
        assertThat(request.path("status").asText()).isEqualTo("success");
        // The usage sits at the end of the body, past what is kept for counting: it is still read.
        assertThat(request.path("usage_source").asText()).isEqualTo("reported");
        assertThat(request.path("completion_tokens").asInt()).isEqualTo(5_000_000);
        assertThat(request.path("prompt_tokens").asInt()).isEqualTo(1_000);
    }

    @Test
    void aStreamEventOf24MebibytesIsRelayedWholeWithinTheTotalTimeout() {
        restartWith(STREAM_TIMEOUTS, "streams");
        String chunk = "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                + "\"delta\":{\"content\":\"" + words(24 * MIB) + "\"},\"finish_reason\":\"stop\"}]}";
        fake.enqueue(Reply.sse(List.of(chunk)));

        HttpResponse<String> response = post(chatBody("kimi-k2", true, ""));

        String expected = "data: " + chunk + "\n\ndata: [DONE]\n\n";
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body().length()).as(tailOf(response.body())).isEqualTo(expected.length());
        assertThat(sha256(response.body())).isEqualTo(sha256(expected));
        assertThat(lastRequest().path("status").asText()).isEqualTo("success");
    }

    @Test
    void aStreamEventOverThe32MebibyteLimitEndsTheStreamWithUpstreamEventTooLarge() throws Exception {
        restartWith(STREAM_TIMEOUTS, "streams");
        // Well past the limit, so that the provider is still writing it when the proxy closes the connection.
        String chunk = "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + words(48 * MIB) + "\"}}]}";
        fake.enqueue(Reply.sse(List.of("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}", chunk)));

        HttpResponse<String> response = post(chatBody("kimi-k2", true, ""));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).startsWith("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n")
                .hasSizeLessThan(MIB);
        assertThat(response.body()).contains("\"code\":\"upstream_event_too_large\"").endsWith("\n\n");
        assertThat(fake.awaitClientDisconnect(Duration.ofSeconds(10))).as("the provider's connection is closed")
                .isTrue();
        JsonNode request = lastRequest();
        assertThat(request.path("status").asText()).isEqualTo("error");
        assertThat(request.path("error_type").asText()).isEqualTo("upstream_event_too_large");
        PrometheusText scrape = PrometheusText.parse(server.get("/metrics").body());
        assertThat(scrape.value("kimi_proxy_errors_total", Map.of("type", "upstream_event_too_large")))
                .isEqualTo(1);
    }

    @Test
    void anHtmlPageAnswered200IsRelayedUnchangedButRecordedAsAMalformedReply() {
        String html = "<!DOCTYPE html>\n<html><head><title>Maintenance</title></head>"
                + "<body><h1>We'll be back soon</h1></body></html>\n";
        fake.enqueue(Reply.json(200, html).header("Content-Type", "text/html; charset=utf-8"));

        HttpResponse<String> response = post(chatBody("kimi-k2", false, ""));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(html);
        assertThat(response.headers().firstValue("content-type")).contains("text/html; charset=utf-8");
        JsonNode active = json(server.get("/api/sessions/active"));
        JsonNode request = active.path("recent_requests").get(0);
        assertThat(request.path("status").asText()).isEqualTo("malformed_reply");
        assertThat(request.path("http_status").asInt()).isEqualTo(200);
        assertThat(request.path("error_type").asText()).isEqualTo("malformed_reply");
        assertThat(request.path("error_message").asText()).contains("fake").contains("not JSON")
                .contains("<!DOCTYPE html>");
        assertThat(active.path("totals").path("failed_requests").asInt()).isEqualTo(1);
        PrometheusText scrape = PrometheusText.parse(server.get("/metrics").body());
        assertThat(scrape.value("kimi_proxy_malformed_replies_total", Map.of("provider", "fake"))).isEqualTo(1);
        assertThat(scrape.value("kimi_proxy_requests_total", Map.of("provider", "fake", "model", "kimi-k2",
                "status", "malformed_reply", "stream", "false"))).isEqualTo(1);
    }

    @Test
    void jsonWithoutChoicesAnswered200IsRecordedAsAMalformedReply() {
        String body = "{\"error\":{\"message\":\"quota exceeded\",\"type\":\"insufficient_quota\"}}";
        fake.enqueue(Reply.json(200, body), Reply.chatCompletion("fine", 10, 1));

        HttpResponse<String> first = post(chatBody("kimi-k2", false, ""));
        HttpResponse<String> second = post(chatBody("kimi-k2", false, ""));

        assertThat(first.body()).isEqualTo(body);
        assertThat(second.statusCode()).isEqualTo(200);
        JsonNode requests = json(server.get("/api/sessions/active")).path("recent_requests");
        assertThat(requests.get(0).path("status").asText()).isEqualTo("success");
        assertThat(requests.get(1).path("status").asText()).isEqualTo("malformed_reply");
        assertThat(requests.get(1).path("error_message").asText()).contains("choices");
        PrometheusText scrape = PrometheusText.parse(server.get("/metrics").body());
        assertThat(scrape.value("kimi_proxy_malformed_replies_total", Map.of("provider", "fake"))).isEqualTo(1);
    }

    @Test
    void aStreamWhoseEventsAreNotJsonIsRelayedUnchangedButRecordedAsAMalformedReply() {
        fake.enqueue(Reply.sse(List.of("<html>upstream proxy error</html>", "still not json")));

        HttpResponse<String> response = post(chatBody("kimi-k2", true, ""));

        assertThat(response.body()).isEqualTo("data: <html>upstream proxy error</html>\n\n"
                + "data: still not json\n\ndata: [DONE]\n\n");
        JsonNode request = lastRequest();
        assertThat(request.path("status").asText()).isEqualTo("malformed_reply");
        assertThat(request.path("stream").asBoolean()).isTrue();
        PrometheusText scrape = PrometheusText.parse(server.get("/metrics").body());
        assertThat(scrape.value("kimi_proxy_malformed_replies_total", Map.of("provider", "fake"))).isEqualTo(1);
        assertThat(scrape.value("kimi_proxy_requests_total", Map.of("provider", "fake", "model", "kimi-k2",
                "status", "malformed_reply", "stream", "true"))).isEqualTo(1);
    }

    // --- helpers ---

    private HttpResponse<String> post(String body) {
        return server.send(HttpRequest.newBuilder(server.uri("/v1/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private JsonNode lastRequest() {
        return json(server.get("/api/sessions/active")).path("recent_requests").get(0);
    }

    /** A chat completion of about {@code bytes} bytes whose usage comes last, as OpenAI writes it. */
    static String chatCompletionOf(int bytes, int promptTokens, int completionTokens) {
        String head = "{\"id\":\"chatcmpl-big\",\"object\":\"chat.completion\",\"model\":\"kimi-k2-0905-preview\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"";
        String tail = "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":" + promptTokens
                + ",\"completion_tokens\":" + completionTokens + ",\"total_tokens\":"
                + (promptTokens + completionTokens) + "}}";
        return head + words(bytes - head.length() - tail.length()) + tail;
    }

    /** {@code length} ASCII characters of plain words. */
    static String words(int length) {
        String word = "relay ";
        StringBuilder b = new StringBuilder(length + word.length());
        while (b.length() < length) {
            b.append(word);
        }
        b.setLength(length);
        return b.toString();
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The error a failed reply carried, for assertion messages (never the whole body of a large reply). */
    private static String errorOf(HttpResponse<String> response) {
        return response.statusCode() == 200 ? "" : response.body();
    }

    private static String tailOf(String body) {
        return "ending with: " + body.substring(Math.max(0, body.length() - 300));
    }
}
