package io.kimi.api;

import static io.kimi.api.testing.KimiServerExtension.chatBody;
import static io.kimi.api.testing.KimiServerExtension.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kimi.api.testing.KimiServerExtension;
import io.kimi.core.hub.HubMessage;
import io.kimi.testing.FakeUpstream;
import io.kimi.testing.Reply;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Context alerts through a real server: a reported usage pushes a small window over a threshold. */
class ContextAlertEndToEndTest {
    FakeUpstream fake;
    FakeUpstream other;
    @RegisterExtension
    final KimiServerExtension server = new KimiServerExtension().manualStart();
    final List<HubMessage> published = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        fake = server.fake();
        other = server.other();
        server.start();
        server.server().hub().subscribe(published::add);
    }


    private List<JsonNode> messages(String type) {
        return published.stream().filter(m -> m.type().equals(type)).map(m -> {
            try {
                return KimiServerExtension.JSON.readTree(m.json());
            } catch (Exception e) {
                throw new AssertionError(m.json(), e);
            }
        }).toList();
    }

    @Test
    void crossingEightyFivePercentOfTheWindowPublishesOneHighAlertInFrench() {
        // "tiny" has a 60-token window: 45 + 7 = 52 tokens is 86.7 %, over warning (70) and high (85) at once.
        fake.enqueue(Reply.chatCompletion("Salut", 45, 7), Reply.chatCompletion("Re", 46, 7));

        assertThat(server.post("/v1/chat/completions", chatBody("tiny", false, "")).statusCode()).isEqualTo(200);
        JsonNode active = json(server.get("/api/sessions/active"));

        assertThat(active.path("context").path("level").asText()).as("the gauge names its level like the alert").isEqualTo("high");
        List<JsonNode> alerts = messages("alert");
        assertThat(alerts).hasSize(1);
        JsonNode data = alerts.get(0).path("data");
        assertThat(data.path("level").asText()).isEqualTo("high");
        assertThat(data.path("threshold").asInt()).isEqualTo(85);
        assertThat(data.path("percent").asDouble()).isEqualTo(86.67);
        assertThat(data.path("context_tokens").asInt()).isEqualTo(52);
        assertThat(data.path("context_window").asInt()).isEqualTo(60);
        assertThat(data.path("model").asText()).isEqualTo("tiny");
        assertThat(data.path("session_id").asText()).isEqualTo(active.path("session_id").asText());
        assertThat(data.path("message").asText().replace('\u00a0', ' ').replace('\u202f', ' '))
                .isEqualTo("Contexte à 86 % de la fenêtre de tiny (52 / 60 tokens) : compactez bientôt la "
                        + "conversation.");
        assertThat(messages("event")).filteredOn(e -> e.path("event_type").asText().equals("ALERT"))
                .singleElement()
                .satisfies(e -> assertThat(e.path("data")).isEqualTo(data));

        // Still above 85 %: no second alert.
        assertThat(server.post("/v1/chat/completions", chatBody("tiny", false, "")).statusCode()).isEqualTo(200);
        server.get("/api/sessions/active");
        assertThat(messages("alert")).hasSize(1);
    }
}
