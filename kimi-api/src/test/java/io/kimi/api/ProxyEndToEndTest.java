package io.kimi.api;

import static io.kimi.api.testing.KimiServerExtension.chatBody;
import static io.kimi.api.testing.KimiServerExtension.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kimi.api.testing.KimiServerExtension;
import io.kimi.testing.RecordedRequest;
import io.kimi.testing.Reply;
import io.kimi.testing.Usage;
import io.kimi.testing.UsageStyle;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The proxy through a real server, a real SQLite file and a fake provider on loopback. */
class ProxyEndToEndTest extends EndToEndTest {
    @Test
    void plainCompletionIsRelayedByteForByteAndItsReportedUsageRecorded() throws Exception {
        String body = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"model\":\"kimi-k2-0905-preview\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Bonjour !\"},"
                + "\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":200,\"total_tokens\":1200,"
                + "\"cached_tokens\":400}}";
        fake.enqueue(Reply.json(200, body));

        HttpResponse<String> response = server.post("/v1/chat/completions", chatBody("kimi-k2", false, ""));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(body);
        RecordedRequest sent = fake.takeRequest(Duration.ofSeconds(5));
        assertThat(sent.path()).isEqualTo("/v1/chat/completions");
        assertThat(sent.bodyAsJson().path("model").asText()).isEqualTo("kimi-k2-0905-preview");
        assertThat(sent.header("authorization")).isEqualTo("Bearer " + KimiServerExtension.API_KEY);
        assertThat(sent.header("host")).isEqualTo("127.0.0.1:" + fake.port());

        JsonNode active = json(server.get("/api/sessions/active"));
        assertThat(active.path("provider").asText()).isEqualTo("fake");
        assertThat(active.path("totals").path("prompt_tokens").asLong()).isEqualTo(1000);
        assertThat(active.path("totals").path("completion_tokens").asLong()).isEqualTo(200);
        assertThat(active.path("totals").path("cached_tokens").asLong()).isEqualTo(400);
        // 600 fresh input at 0.60 + 400 cached at 0.15 + 200 output at 2.50, per million.
        double cost = (600 * 0.60 + 400 * 0.15 + 200 * 2.50) / 1_000_000;
        assertThat(active.path("totals").path("cost_usd").asDouble()).isCloseTo(cost, within());
        assertThat(active.path("context").path("tokens").asLong()).isEqualTo(1200);
        assertThat(active.path("context").path("level").asText()).isEqualTo("normal");
        JsonNode request = active.path("recent_requests").get(0);
        assertThat(request.path("usage_source").asText()).isEqualTo("reported");
        assertThat(request.path("status").asText()).isEqualTo("success");
        assertThat(request.path("estimated_prompt_tokens").asInt()).isBetween(15, 40);
        assertThat(request.path("estimated_completion_tokens").asInt()).isBetween(2, 6);
        assertThat(request.path("ttft_ms").asLong()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void streamIsRelayedEventByEventWithTheUsageChunkTheClientDidNotAskForRemoved() throws Exception {
        fake.enqueue(Reply.streamingCompletion(List.of("Bon", "jour", " !"), new Usage(900, 3, 0),
                UsageStyle.OPENAI));

        HttpResponse<String> response = server.post("/chat/completions", chatBody("kimi-k2", true, ""));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("text/event-stream"));
        List<String> events = events(response.body());
        assertThat(events).hasSize(4).last().isEqualTo("data: [DONE]");
        assertThat(response.body()).doesNotContain("\"usage\":{");
        RecordedRequest sent = fake.takeRequest(Duration.ofSeconds(5));
        assertThat(sent.bodyAsJson().path("stream_options").path("include_usage").asBoolean()).isTrue();

        JsonNode request = json(server.get("/api/sessions/active")).path("recent_requests").get(0);
        assertThat(request.path("prompt_tokens").asInt()).isEqualTo(900);
        assertThat(request.path("completion_tokens").asInt()).isEqualTo(3);
        assertThat(request.path("usage_source").asText()).isEqualTo("reported");
        assertThat(request.path("stream").asBoolean()).isTrue();
    }

    @Test
    void streamIsRelayedUnchangedWhenTheClientAskedForUsage() throws Exception {
        List<String> payloads = List.of(
                "{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}],\"usage\":null}",
                "{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}",
                "{\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":50,\"completion_tokens\":1,"
                        + "\"total_tokens\":51}}");
        fake.enqueue(Reply.sse(payloads));

        HttpResponse<String> response = server.post("/chat/completions",
                chatBody("kimi-k2", true, ",\"stream_options\":{\"include_usage\":true}"));

        StringBuilder expected = new StringBuilder();
        payloads.forEach(p -> expected.append("data: ").append(p).append("\n\n"));
        expected.append("data: [DONE]\n\n");
        assertThat(response.body()).isEqualTo(expected.toString());
        JsonNode request = json(server.get("/api/sessions/active")).path("recent_requests").get(0);
        assertThat(request.path("prompt_tokens").asInt()).isEqualTo(50);
    }

    @Test
    void moonshotUsageInsideTheLastChoiceIsRecordedAndRelayed() throws Exception {
        fake.enqueue(Reply.streamingCompletion(List.of("a", "b"), new Usage(321, 2, 256), UsageStyle.MOONSHOT));

        HttpResponse<String> response = server.post("/chat/completions", chatBody("kimi-k2", true, ""));

        assertThat(response.body()).contains("\"usage\"").endsWith("data: [DONE]\n\n");
        JsonNode request = json(server.get("/api/sessions/active")).path("recent_requests").get(0);
        assertThat(request.path("prompt_tokens").asInt()).isEqualTo(321);
        assertThat(request.path("cached_tokens").asInt()).isEqualTo(256);
    }

    @Test
    void streamWithoutUsageIsCountedLocally() throws Exception {
        fake.enqueue(Reply.streamingCompletion(List.of("one ", "two ", "three"), null, UsageStyle.NONE));

        server.post("/chat/completions", chatBody("kimi-k2", true, ""));

        JsonNode request = json(server.get("/api/sessions/active")).path("recent_requests").get(0);
        assertThat(request.path("usage_source").asText()).isEqualTo("estimated");
        assertThat(request.path("completion_tokens").asInt()).isEqualTo(3);
        assertThat(request.path("prompt_tokens").asInt()).isEqualTo(request.path("estimated_prompt_tokens").asInt());
        assertThat(request.path("reported_prompt_tokens").isNull()).isTrue();
    }

    @Test
    void modelsAreRoutedByExactKeyOrBySuffixAfterTheFirstSlash() throws Exception {
        fake.enqueue(Reply.chatCompletion("ok", 10, 1));
        other.enqueue(Reply.chatCompletion("ok", 10, 1));

        assertThat(server.post("/v1/chat/completions", chatBody("moonshot/kimi-k2", false, "")).statusCode())
                .isEqualTo(200);
        assertThat(server.post("/v1/chat/completions", chatBody("other-model", false, "")).statusCode())
                .isEqualTo(200);

        assertThat(fake.takeRequest(Duration.ofSeconds(5)).bodyAsJson().path("model").asText())
                .isEqualTo("kimi-k2-0905-preview");
        assertThat(other.takeRequest(Duration.ofSeconds(5)).bodyAsJson().path("model").asText())
                .isEqualTo("other-model");
    }

    @Test
    void unknownModelIsA404InOpenAiFormat() {
        HttpResponse<String> response = server.post("/chat/completions", chatBody("gpt-9", false, ""));

        assertThat(response.statusCode()).isEqualTo(404);
        JsonNode error = json(response).path("error");
        assertThat(error.path("code").asText()).isEqualTo("model_not_found");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("message").asText()).contains("gpt-9").contains("kimi-k2");
        assertThat(fake.requests()).isEmpty();
    }

    @Test
    void modelListIsServedInOpenAiFormatAlsoUnderV1() {
        for (String path : List.of("/models", "/v1/models")) {
            JsonNode list = json(server.get(path));
            assertThat(list.path("object").asText()).isEqualTo("list");
            List<String> ids = new ArrayList<>();
            list.path("data").forEach(m -> ids.add(m.path("id").asText()));
            assertThat(ids).containsExactly("kimi-k2", "tiny", "other-model", "keyless");
        }
    }

    @Test
    void badRequestsGetClearOpenAiErrorsAndStoreNothing() {
        HttpResponse<String> malformed = server.post("/chat/completions", "{\"model\": \"kimi-k2\", ");
        HttpResponse<String> noMessages = server.post("/chat/completions", "{\"model\":\"kimi-k2\"}");
        HttpResponse<String> emptyMessages = server.post("/chat/completions",
                "{\"model\":\"kimi-k2\",\"messages\":[]}");
        HttpResponse<String> notObject = server.post("/chat/completions", "[1,2]");
        HttpResponse<String> badStream = server.post("/chat/completions",
                "{\"model\":\"kimi-k2\",\"stream\":\"yes\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(json(malformed).path("error").path("code").asText()).isEqualTo("invalid_json");
        assertThat(noMessages.statusCode()).isEqualTo(400);
        assertThat(json(noMessages).path("error").path("param").asText()).isEqualTo("messages");
        assertThat(emptyMessages.statusCode()).isEqualTo(400);
        assertThat(notObject.statusCode()).isEqualTo(400);
        assertThat(badStream.statusCode()).isEqualTo(400);
        assertThat(json(badStream).path("error").path("param").asText()).isEqualTo("stream");
        assertThat(fake.requests()).isEmpty();
        assertThat(json(server.get("/api/sessions")).path("total").asInt()).isZero();
    }

    @Test
    void promptLargerThanTheWindowIsRefusedBeforeSendingAndRecordedAsFailed() {
        String longText = "word ".repeat(200);
        HttpResponse<String> response = server.post("/chat/completions",
                "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"" + longText + "\"}]}");

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(json(response).path("error").path("code").asText()).isEqualTo("context_length_exceeded");
        assertThat(fake.requests()).isEmpty();
        JsonNode active = json(server.get("/api/sessions/active"));
        assertThat(active.path("totals").path("requests").asInt()).isEqualTo(1);
        assertThat(active.path("totals").path("failed_requests").asInt()).isEqualTo(1);
        assertThat(active.path("totals").path("prompt_tokens").asInt()).isZero();
        assertThat(active.path("recent_requests").get(0).path("http_status").asInt()).isEqualTo(413);
    }

    @Test
    void upstreamAuthFailureIsA401WithoutTheKey() {
        fake.enqueue(Reply.status(401, "Incorrect API key provided: " + KimiServerExtension.API_KEY));

        HttpResponse<String> response = server.post("/chat/completions", chatBody("kimi-k2", false, ""));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).doesNotContain(KimiServerExtension.API_KEY).doesNotContain("cdef");
        assertThat(json(response).path("error").path("message").asText()).contains("Provider 'fake' answered 401");
    }

    @Test
    void upstreamRateLimitIsA429WithRetryAfterCopied() {
        fake.enqueue(Reply.status(429, "Rate limit reached").header("Retry-After", "7"));

        HttpResponse<String> response = server.post("/chat/completions", chatBody("kimi-k2", true, ""));

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("retry-after")).hasValue("7");
        assertThat(json(response).path("error").path("type").asText()).isNotBlank();
    }

    @Test
    void connectionResetBeforeTheReplyIsRetried() throws Exception {
        fake.enqueue(Reply.chatCompletion("x", 1, 1).resetBeforeResponse(), Reply.chatCompletion("after retry", 5, 2));

        HttpResponse<String> response = server.post("/chat/completions", chatBody("kimi-k2", false, ""));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("after retry");
        assertThat(fake.requests()).hasSize(2);
    }

    @Test
    void unreachableProviderIsA502AfterBoundedRetries() {
        int closedPort = fake.port();
        fake.close();

        HttpResponse<String> response = server.post("/chat/completions", chatBody("kimi-k2", false, ""));

        assertThat(response.statusCode()).isEqualTo(502);
        JsonNode error = json(response).path("error");
        assertThat(error.path("code").asText()).isEqualTo("upstream_unreachable");
        assertThat(error.path("message").asText()).contains("127.0.0.1:" + closedPort).contains("3 attempt");
        JsonNode request = json(server.get("/api/sessions/active")).path("recent_requests").get(0);
        assertThat(request.path("status").asText()).isEqualTo("error");
        assertThat(request.path("prompt_tokens").asInt()).isZero();
    }

    @Test
    void silentProviderIsA504AfterTheReadTimeout() {
        server.restart(s -> s.providerToml("read_timeout_ms = 300"));
        fake.enqueue(Reply.hang());

        HttpResponse<String> response = server.post("/chat/completions", chatBody("kimi-k2", false, ""));

        assertThat(response.statusCode()).isEqualTo(504);
        assertThat(json(response).path("error").path("code").asText()).isEqualTo("upstream_timeout");
    }

    @Test
    void streamOutlastingTheTotalTimeoutEndsWithATimeoutEvent() throws Exception {
        server.restart(s -> s.providerToml("read_timeout_ms = 5000\ntotal_timeout_ms = 2000"));
        // 40 chunks 150 ms apart outlast the total timeout by seconds, and the first chunk has 2 s to arrive (a
        // 700 ms timeout raced the first chunk on a loaded machine: a 504 instead of a 200).
        List<String> chunks = IntStream.range(0, 40).mapToObj(i -> "c" + i).toList();
        fake.enqueue(Reply.streamingCompletion(chunks, null, UsageStyle.NONE)
                .delayBetweenChunks(Duration.ofMillis(150)));

        HttpResponse<String> response = server.post("/chat/completions", chatBody("kimi-k2", true, ""));

        assertThat(response.statusCode()).isEqualTo(200);
        List<String> events = events(response.body());
        assertThat(events.size()).isBetween(2, 39);
        assertThat(events.get(events.size() - 1)).startsWith("data: {\"error\"").contains("upstream_timeout");
        assertThat(fake.awaitClientDisconnect(Duration.ofSeconds(5))).isTrue();
        JsonNode recorded = json(server.get("/api/sessions/active")).path("recent_requests").get(0);
        assertThat(recorded.path("status").asText()).isEqualTo("error");
        assertThat(recorded.path("error_type").asText()).isEqualTo("upstream_timeout");
    }

    @Test
    void providerDyingMidStreamEndsTheStreamWithAnErrorEventAndKeepsPartialCounts() {
        fake.enqueue(Reply.streamingCompletion(List.of("alpha", " beta", " gamma", " delta"), new Usage(10, 4, 0),
                UsageStyle.MOONSHOT).disconnectAfterChunks(2));

        HttpResponse<String> response = server.post("/chat/completions", chatBody("kimi-k2", true, ""));

        List<String> events = events(response.body());
        assertThat(events).hasSize(3);
        assertThat(events.get(2)).startsWith("data: {\"error\"").contains("upstream_disconnected");
        JsonNode request = json(server.get("/api/sessions/active")).path("recent_requests").get(0);
        assertThat(request.path("status").asText()).isEqualTo("error");
        assertThat(request.path("usage_source").asText()).isEqualTo("estimated");
        assertThat(request.path("completion_tokens").asInt()).isEqualTo(2);
        assertThat(request.path("prompt_tokens").asInt()).isPositive();
    }

    @Test
    void clientGoingAwayMidStreamCancelsTheUpstreamRequest() throws Exception {
        fake.enqueue(Reply.streamingCompletion(List.of("a", "b", "c", "d", "e", "f", "g", "h"), null,
                UsageStyle.NONE).delayBetweenChunks(Duration.ofMillis(300)));
        HttpRequest request = HttpRequest.newBuilder(server.uri("/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(chatBody("kimi-k2", true, ""))).build();
        HttpResponse<InputStream> response = server.http().send(request,
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            assertThat(in.read()).isEqualTo('d');
        }

        assertThat(fake.awaitClientDisconnect(Duration.ofSeconds(5))).isTrue();
        JsonNode recorded = json(server.get("/api/sessions/active")).path("recent_requests").get(0);
        assertThat(recorded.path("status").asText()).isEqualTo("cancelled");
    }

    @Test
    void providerWithoutItsKeyIsA503NamingTheVariable() {
        HttpResponse<String> response = server.post("/chat/completions", chatBody("keyless", false, ""));

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(json(response).path("error").path("message").asText()).contains("UNSET_TEST_KEY_VARIABLE");
        assertThat(other.requests()).isEmpty();
    }

    @Test
    void requestBodyOverTheLimitIsA413() {
        server.restart(s -> s.serverToml("max_body_bytes = 2048"));

        HttpResponse<String> response = server.post("/chat/completions",
                chatBody("kimi-k2", false, ",\"user\":\"" + "x".repeat(5000) + "\""));

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(json(response).path("error").path("code").asText()).isEqualTo("request_too_large");
        assertThat(fake.requests()).isEmpty();
    }

    @Test
    void clientRequestIdIsPassedOnAndSessionHeaderIsNot() throws Exception {
        fake.enqueue(Reply.chatCompletion("ok", 3, 1));

        server.send(HttpRequest.newBuilder(server.uri("/chat/completions"))
                .header("X-Request-Id", "client-req-42").header("X-Session-Id", "my-session")
                .header("Authorization", "Bearer client-side-value")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(chatBody("kimi-k2", false, ""))));

        RecordedRequest sent = fake.takeRequest(Duration.ofSeconds(5));
        assertThat(sent.header("x-request-id")).isEqualTo("client-req-42");
        assertThat(sent.header("x-session-id")).isNull();
        assertThat(sent.header("authorization")).isEqualTo("Bearer " + KimiServerExtension.API_KEY);
    }

    private static List<String> events(String sse) {
        List<String> events = new ArrayList<>();
        for (String e : sse.split("\n\n")) {
            if (!e.isBlank()) {
                events.add(e.strip());
            }
        }
        return events;
    }

    private static Offset<Double> within() {
        return Offset.offset(1e-9);
    }
}
