package io.kimi.api;

import static io.kimi.api.testing.KimiServerExtension.chatBody;
import static io.kimi.api.testing.KimiServerExtension.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kimi.api.testing.KimiServerExtension;
import io.kimi.testing.FakeUpstream;
import io.kimi.testing.PrometheusText;
import io.kimi.testing.Reply;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code [server] accounting_queue_limit}: when requests finish faster than they can be recorded (here the SQLite
 * writer is held), the accounting thread waits for the writer once that many of its records are queued there,
 * finished requests queue behind it, those past the bound are recorded the light way, at twice the bound new chat
 * completions are refused with a 503 before anything goes upstream, and once the writer moves again every
 * request that was answered is recorded. Real server, real SQLite file, fake provider on loopback.
 */
class RecordingBacklogEndToEndTest {
    private static final long GUARD_SECONDS = 180;

    private FakeUpstream fake;
    private FakeUpstream other;
    @RegisterExtension
    final KimiServerExtension server = new KimiServerExtension().manualStart();
    private HeldWriter writer;

    @AfterEach
    void stop() {
        if (writer != null) {
            writer.release();
        }
    }

    @Test
    void pastTheBoundRequestsAreRecordedLightAtTwiceItRefusedAndNoneAnsweredIsLost() throws Exception {
        fake = server.fake();
        other = server.other();
        // Every reply counted locally when recorded in full: a light one shows no estimate.
        server.restart(s -> s.serverToml("accounting_queue_limit = 2\nestimate_sample_every = 1"));
        writer = HeldWriter.hold(server.server(), Duration.ofSeconds(GUARD_SECONDS));
        for (int i = 0; i < 8; i++) {
            fake.enqueue(Reply.chatCompletion("réponse " + i, 100, 10 + i));
        }

        // r1, r2: recorded, their records queued for the held writer (the bound: 2). r3: the accounting thread
        // waits for room. r4-r7: wait behind it, 4 = twice the bound. Each request is sent once the accounting
        // thread has taken the one before (the queue as expected): a cold accounting thread is slower than a
        // request, and three requests queued behind a slow r1 would make r6 the refused one.
        List<Integer> queueAfter = List.of(0, 0, 0, 1, 2, 3, 4);
        List<HttpResponse<String>> answered = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            answered.add(server.post("/chat/completions", chatBody("kimi-k2", false, "")));
            int expected = queueAfter.get(i);
            await("accounting queue " + expected + " after request " + (i + 1)).atMost(Duration.ofSeconds(20))
                    .until(() -> metric("kimi_accounting_queue", Map.of()) == expected);
        }
        HttpResponse<String> refused = server.post("/chat/completions", chatBody("kimi-k2", false, ""));

        assertThat(answered).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
        // The held writer does not hold back their traces: each was in the intent journal before it went upstream.
        assertThat(metric("kimi_requests_untraced_total", Map.of())).isZero();
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("retry-after")).contains("1");
        assertThat(json(refused).path("error").path("code").asText()).isEqualTo("server_busy");
        assertThat(json(refused).path("error").path("type").asText()).isEqualTo("server_error");
        assertThat(fake.requests().size()).as("nothing of the refused request went upstream").isEqualTo(7);
        assertThat(metric("kimi_accounting_overflow_total", Map.of("policy", "refused"))).isEqualTo(1);

        writer.release();
        JsonNode session = json(server.get("/api/sessions/active"));

        // r3 started recording before the others queued; r4 and r5 had 2 or more behind them (light), r6, r7 not.
        assertThat(session.path("totals").path("requests").asInt()).isEqualTo(7);
        List<JsonNode> recorded = new ArrayList<>();
        session.path("recent_requests").forEach(r -> recorded.add(0, r));
        assertThat(recorded).hasSize(7);
        assertThat(recorded).extracting(r -> r.path("completion_tokens").asInt())
                .containsExactly(10, 11, 12, 13, 14, 15, 16);
        assertThat(recorded).extracting(r -> r.path("estimated_completion_tokens").isNull())
                .containsExactly(false, false, false, true, true, false, false);
        assertThat(metric("kimi_accounting_overflow_total", Map.of("policy", "recorded_light"))).isEqualTo(2);
        assertThat(metric("kimi_accounting_queue", Map.of())).isZero();
        assertThat(metric("kimi_accounting_queue_limit", Map.of())).isEqualTo(2);
        JsonNode events = json(server.get("/api/sessions/" + session.path("session_id").asText() + "/events"));
        assertThat(events.path("total").asInt()).as("every record with its event").isGreaterThanOrEqualTo(7);
    }

    private double metric(String name, Map<String, String> labels) {
        return PrometheusText.parse(server.get("/metrics").body()).value(name, labels);
    }
}
