package io.kimi.api;

import static io.kimi.api.testing.KimiServerExtension.chatBody;
import static io.kimi.api.testing.KimiServerExtension.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import io.kimi.api.testing.KimiServerExtension;
import io.kimi.testing.FakeUpstream;
import io.kimi.testing.PrometheusText;
import io.kimi.testing.Reply;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The intent journal beside the database ({@code dashboard.db.intents.0|1}) on a real server: a request's trace
 * is appended there before it goes upstream. When that append fails (here both segments are {@code /dev/full},
 * so every {@code write()} fails with "No space left on device"), the request is still served and recorded, and
 * counted as untraced, with a log line that names the request and the error but no secret. (A request cut by a
 * real {@code kill -9} mid-upstream-call and found {@code interrupted} at the next start: CrashConsistencyTest.)
 */
class IntentJournalEndToEndTest {
    private static final Path DEV_FULL = Path.of("/dev/full");

    @RegisterExtension
    final KimiServerExtension server = new KimiServerExtension().manualStart();

    @Test
    void aRequestWhoseTraceCannotBeWrittenIsServedRecordedAndCountedAsUntraced() throws Exception {
        assumeTrue(Files.isWritable(DEV_FULL), "needs Linux's /dev/full");
        for (int i = 0; i < 2; i++) {
            Files.createSymbolicLink(server.dir().resolve("dashboard.db.intents." + i), DEV_FULL);
        }
        server.start();
        FakeUpstream fake = server.fake();
        fake.enqueue(Reply.chatCompletion("bonjour", 100, 10));

        HttpResponse<String> answer;
        try (LogCapture log = new LogCapture("io.kimi.services", Level.WARN)) {
            answer = server.post("/chat/completions", chatBody("kimi-k2", false, ""));

            assertThat(log.messages()).anySatisfy(m -> assertThat(m)
                    .contains("it is sent upstream untraced").contains("No space left on device"));
            assertThat(log.messages()).noneSatisfy(m -> assertThat(m).contains(KimiServerExtension.API_KEY));
        }

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(fake.requests()).hasSize(1);
        assertThat(metric("kimi_requests_untraced_total")).isEqualTo(1);
        JsonNode session = json(server.get("/api/sessions/active"));
        assertThat(session.path("totals").path("requests").asInt()).as("recorded all the same").isEqualTo(1);
    }

    private double metric(String name) {
        return PrometheusText.parse(server.get("/metrics").body()).value(name, Map.of());
    }
}
