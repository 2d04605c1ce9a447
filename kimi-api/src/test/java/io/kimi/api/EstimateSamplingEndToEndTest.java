package io.kimi.api;

import static io.kimi.api.testing.KimiServerExtension.chatBody;
import static io.kimi.api.testing.KimiServerExtension.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kimi.api.testing.KimiServerExtension;
import io.kimi.testing.FakeUpstream;
import io.kimi.testing.Reply;
import io.kimi.testing.UsageStyle;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code [server] estimate_sample_every}: our own count of a completion is made for every n-th reply with reported
 * usage and for every reply without; an estimate that was not made is absent (null) in the REST views, the events
 * and the exports, and the accuracy figures say which sample they are over. Real server, real SQLite file.
 */
class EstimateSamplingEndToEndTest {
    private FakeUpstream fake;
    private FakeUpstream other;
    @RegisterExtension
    final KimiServerExtension server = new KimiServerExtension().manualStart();

    private void start(String serverToml) {
        fake = server.fake();
        other = server.other();
        server.restart(s -> s.serverToml(serverToml));
    }


    @Test
    void everySecondReportedReplyAndEveryUnreportedOneIsCountedAndTheRestShowNoEstimate() {
        start("estimate_sample_every = 2");
        for (int i = 0; i < 4; i++) {
            fake.enqueue(Reply.chatCompletion("Bonjour, voici la réponse numéro " + i, 100 + i, 10 + i));
        }
        fake.enqueue(Reply.streamingCompletion(List.of("sans ", "usage"), null, UsageStyle.NONE));
        for (int i = 0; i < 4; i++) {
            assertThat(server.post("/chat/completions", chatBody("kimi-k2", false, "")).statusCode()).isEqualTo(200);
        }
        assertThat(server.post("/chat/completions", chatBody("kimi-k2", true, "")).statusCode()).isEqualTo(200);

        JsonNode session = json(server.get("/api/sessions/active"));
        List<JsonNode> requests = oldestFirst(session.path("recent_requests"));
        assertThat(requests).hasSize(5);
        for (int i = 0; i < 4; i++) {
            JsonNode r = requests.get(i);
            assertThat(r.path("usage_source").asText()).isEqualTo("reported");
            assertThat(r.path("completion_tokens").asInt()).isEqualTo(10 + i);
            if (i % 2 == 0) {
                assertThat(r.path("estimated_completion_tokens").asInt()).as("request %d", i).isPositive();
            } else {
                assertThat(r.path("estimated_completion_tokens").isNull()).as("request %d", i).isTrue();
            }
            assertThat(r.path("estimated_prompt_tokens").asInt()).as("the prompt is always counted").isPositive();
        }
        JsonNode unreported = requests.get(4);
        assertThat(unreported.path("usage_source").asText()).isEqualTo("estimated");
        assertThat(unreported.path("estimated_completion_tokens").asInt()).isPositive();
        assertThat(unreported.path("completion_tokens").asInt())
                .isEqualTo(unreported.path("estimated_completion_tokens").asInt());

        String id = session.path("session_id").asText();
        JsonNode accuracy = json(server.get("/api/sessions/" + id + "/metrics")).path("estimate_accuracy");
        assertThat(accuracy.path("requests_with_reported_usage").asInt()).isEqualTo(4);
        assertThat(accuracy.path("completion_sampled_requests").asInt()).isEqualTo(2);
        assertThat(accuracy.path("completion_mean_abs_error_percent").isNumber()).isTrue();
        assertThat(json(server.get("/api/metrics")).path("proxy").path("estimate_accuracy")
                .path("completion_sampled_requests").asInt()).isEqualTo(2);

        List<JsonNode> events = new ArrayList<>();
        json(server.get("/api/sessions/" + id + "/events")).path("events").forEach(e -> {
            if (e.path("event_type").asText().equals("REQUEST_COMPLETED")) {
                events.add(e);
            }
        });
        assertThat(events).hasSize(5);
        assertThat(events.get(1).path("data").path("estimated_completion_tokens").isNull()).isTrue();
        assertThat(events.get(2).path("data").path("estimated_completion_tokens").isInt()).isTrue();

        List<JsonNode> exported = new ArrayList<>();
        json(server.get("/api/export/json")).path("requests").forEach(exported::add);
        assertThat(exported).extracting(r -> r.path("estimated_completion_tokens").isNull())
                .containsExactlyInAnyOrder(false, true, false, true, false);
        String[] csv = server.get("/api/export/csv").body().split("\r?\n");
        // Jackson quotes longer cells, headers included; no cell here holds a comma.
        int column = List.of(csv[0].replace("\"", "").split(",")).indexOf("estimated_completion_tokens");
        assertThat(column).as(csv[0]).isNotNegative();
        long emptyCells = List.of(csv).subList(1, csv.length).stream()
                .filter(line -> line.split(",", -1)[column].replace("\"", "").isEmpty())
                .count();
        assertThat(emptyCells).isEqualTo(2);
    }

    @Test
    void zeroNeverCountsAReportedReplyAndLeavesTheCompletionErrorWithoutSample() {
        start("estimate_sample_every = 0");
        fake.enqueue(Reply.chatCompletion("un", 100, 10), Reply.chatCompletion("deux", 100, 10));
        server.post("/chat/completions", chatBody("kimi-k2", false, ""));
        server.post("/chat/completions", chatBody("kimi-k2", false, ""));

        JsonNode session = json(server.get("/api/sessions/active"));
        assertThat(session.path("recent_requests")).allSatisfy(
                r -> assertThat(r.path("estimated_completion_tokens").isNull()).isTrue());
        JsonNode accuracy = json(server.get("/api/sessions/" + session.path("session_id").asText() + "/metrics"))
                .path("estimate_accuracy");
        assertThat(accuracy.path("requests_with_reported_usage").asInt()).isEqualTo(2);
        assertThat(accuracy.path("completion_sampled_requests").asInt()).isZero();
        assertThat(accuracy.path("completion_mean_abs_error_percent").isNull()).isTrue();
        assertThat(accuracy.path("prompt_mean_abs_error_percent").isNumber()).isTrue();
    }

    private static List<JsonNode> oldestFirst(JsonNode newestFirst) {
        List<JsonNode> list = new ArrayList<>();
        newestFirst.forEach(r -> list.add(0, r));
        return list;
    }
}
