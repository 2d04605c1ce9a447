package io.kimi.api;

import static io.kimi.api.Chats.body;
import static io.kimi.api.testing.KimiServerExtension.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.kimi.api.testing.KimiServerExtension;
import io.kimi.core.hub.HubMessage;
import io.kimi.testing.Reply;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code DELETE /api/sessions/{id}} through a real server: the session is gone from every place that knew it
 * (REST reads, exports, metrics, memory and compaction views, the live feed) and a session later re-created
 * under the same id starts from nothing: its context alert fires again and automatic compaction is not held
 * back by the deleted session's cooldown.
 */
class SessionDeletionEndToEndTest extends EndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String ID = "doomed";

    final List<HubMessage> published = new CopyOnWriteArrayList<>();
    ArrayNode history;

    @BeforeEach
    void start() throws Exception {
        history = CompactionEndToEndTest.conversation("Doomed", 7);
        int tokens = Chats.promptTokens(KimiServerExtension.JSON.readTree(body("small", history)));
        int window = (int) (tokens / 0.9);
        // The reported prompt fills 90 % of the window: over the warning and high thresholds at once.
        fake.defaultReply(Reply.chatCompletion("ok", (int) (window * 0.9), 5));
        server.restart(s -> s.sectionsToml("[models.small]\nprovider = \"fake\"\ncontext_window = " + window + "\n"));
        server.server().hub().subscribe(published::add);
    }

    @Test
    void aDeletedSessionIsGoneEverywhereAndItsIdStartsAfresh() {
        send();
        await().atMost(WAIT).until(() -> count("event", "COMPACTION_APPLIED") == 1 && count("alert", null) == 1);
        assertThat(json(server.get("/api/sessions/" + ID + "/compaction")).path("active")).hasSize(1);

        HttpResponse<String> deleted = server.delete("/api/sessions/" + ID);

        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
        assertThat(json(deleted).path("session_id").asText()).isEqualTo(ID);
        assertThat(server.get("/api/sessions/" + ID).statusCode()).isEqualTo(404);
        assertThat(json(server.get("/api/sessions")).path("total").asInt()).isZero();
        assertThat(server.get("/api/sessions/active").statusCode()).isEqualTo(404);
        assertThat(server.get("/api/sessions/" + ID + "/compaction").statusCode()).isEqualTo(404);
        assertThat(server.get("/api/sessions/" + ID + "/memory").statusCode()).isEqualTo(404);
        assertThat(server.get("/api/sessions/" + ID + "/metrics").statusCode()).isEqualTo(404);
        assertThat(server.get("/api/export/json?session_id=" + ID).statusCode()).isEqualTo(404);
        assertThat(json(server.get("/api/metrics")).path("proxy").path("requests").asInt()).isZero();
        assertThat(published).anySatisfy(m -> {
            assertThat(m.type()).isEqualTo("session");
            assertThat(m.json()).contains("\"action\":\"deleted\"").contains(ID);
        });
        assertThat(server.delete("/api/sessions/" + ID).statusCode()).isEqualTo(404);

        send();

        JsonNode again = json(server.get("/api/sessions/" + ID));
        assertThat(again.path("totals").path("requests").asInt()).isEqualTo(1);
        // Nothing of the deleted session applies: the conversation went upstream in full, the alert crossing
        // fires anew and the deleted session's compaction (minutes of cooldown) does not hold the new one back.
        assertThat(fake.requests().get(fake.requests().size() - 1).bodyAsJson().path("messages"))
                .hasSize(history.size());
        await().atMost(WAIT).until(() -> count("event", "COMPACTION_APPLIED") == 2 && count("alert", null) == 2);
        assertThat(json(server.get("/api/sessions/" + ID + "/compaction")).path("active")).hasSize(1);
    }

    private void send() {
        HttpResponse<String> response = server.send(HttpRequest.newBuilder(server.uri("/chat/completions"))
                .header("Content-Type", "application/json")
                .header("X-Session-Id", ID)
                .POST(HttpRequest.BodyPublishers.ofString(body("small", history))));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    private long count(String type, String topic) {
        return published.stream()
                .filter(m -> m.type().equals(type) && (topic == null || m.topic().equals(topic)))
                .filter(m -> m.json().contains(ID))
                .count();
    }
}
