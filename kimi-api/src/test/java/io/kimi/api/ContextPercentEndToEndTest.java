package io.kimi.api;

import static io.kimi.api.testing.KimiServerExtension.chatBody;
import static io.kimi.api.testing.KimiServerExtension.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kimi.testing.Reply;
import org.junit.jupiter.api.Test;

/** One request's context fill is the same figure in its metric message, its event and its session. */
class ContextPercentEndToEndTest extends EndToEndTest {
    @Test
    void metricEventAndSessionShowTheSameRoundedPercent() {
        // 4000 + 96 = 4096 tokens of kimi-k2's 262144: exactly 1.5625 %.
        fake.enqueue(Reply.chatCompletion("ok", 4000, 96));
        try (WsTestClient client = WsTestClient.connect(
                server.wsUri("/ws"))) {
            client.next("init");

            assertThat(server.post("/chat/completions", chatBody("kimi-k2", false, "")).statusCode())
                    .isEqualTo(200);

            JsonNode metric = client.next("metric").path("data");
            JsonNode liveEvent = client.next("event").path("data");
            String id = metric.path("session_id").asText();
            JsonNode storedEvent = json(server.get("/api/sessions/" + id + "/events")).path("events").get(0)
                    .path("data");
            JsonNode session = json(server.get("/api/sessions/" + id));

            assertThat(metric.path("context_tokens").asLong()).isEqualTo(4096);
            assertThat(metric.path("context_percent").asDouble()).isEqualTo(1.56);
            assertThat(liveEvent.path("context_percent").asDouble()).isEqualTo(1.56);
            assertThat(storedEvent.path("context_percent").asDouble()).isEqualTo(1.56);
            assertThat(session.path("context").path("percent").asDouble()).isEqualTo(1.56);
        }
    }
}
