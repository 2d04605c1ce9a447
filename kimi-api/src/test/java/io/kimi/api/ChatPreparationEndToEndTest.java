package io.kimi.api;

import static io.kimi.api.testing.KimiServerExtension.chatBody;
import static io.kimi.api.testing.KimiServerExtension.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kimi.testing.Reply;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Preparing a chat completion where the services decide ({@code ChatCompletions.prepareAsync}): on the event loop
 * when it cannot block, on the blocking pool for a session id not seen yet or a large body. Both ways are
 * answered and recorded, and a refusal found on the blocking pool is the OpenAI error JSON of the proxy route.
 */
class ChatPreparationEndToEndTest extends EndToEndTest {
    /** Over the size from which preparing runs on the blocking pool (64 KiB). */
    private static final String PADDING = "x".repeat(80 * 1024);

    @BeforeEach
    void configureFakes() {
        fake.defaultReply(Reply.chatCompletion("ok", 100, 10));
    }

    @Test
    void requestsPreparedOnTheEventLoopOrTheBlockingPoolAreAnsweredAndRecorded() {
        assertThat(server.post("/chat/completions", chatBody("kimi-k2", false, "")).statusCode()).isEqualTo(200);
        assertThat(post("fresh-agent", chatBody("kimi-k2", false, "")).statusCode()).isEqualTo(200);
        String large = chatBody("kimi-k2", false, ",\"metadata\":{\"padding\":\"" + PADDING + "\"}");
        assertThat(post("fresh-agent", large).statusCode()).isEqualTo(200);

        assertThat(json(server.get("/api/sessions/active")).path("totals").path("requests").asInt()).isEqualTo(1);
        assertThat(json(server.get("/api/sessions/fresh-agent")).path("totals").path("requests").asInt())
                .isEqualTo(2);
        assertThat(fake.requests()).hasSize(3);
    }

    @Test
    void aRefusalFoundOnTheBlockingPoolIsTheOpenAiErrorOfTheRoute() {
        HttpResponse<String> refused = post("new-agent",
                "{\"model\":\"kimi-k2\",\"messages\":\"" + PADDING + "\"}");

        assertThat(refused.statusCode()).isEqualTo(400);
        JsonNode error = json(refused).path("error");
        assertThat(error.path("code").asText()).isEqualTo("missing_messages");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(fake.requests()).isEmpty();
        assertThat(server.get("/api/sessions/new-agent").statusCode()).isEqualTo(404);
    }

    private HttpResponse<String> post(String session, String body) {
        return server.send(HttpRequest.newBuilder(server.uri("/chat/completions"))
                .header("Content-Type", "application/json")
                .header("X-Session-Id", session)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }
}
