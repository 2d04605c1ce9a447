package io.kimi.api;

import static io.kimi.api.testing.KimiServerExtension.chatBody;
import static io.kimi.api.testing.KimiServerExtension.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kimi.api.testing.KimiServerExtension;
import io.kimi.core.hub.HubMessage;
import io.kimi.testing.FakeUpstream;
import io.kimi.testing.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log watcher's findings and the context gauge, through a real server: a finding is measured against its own
 * model's window when that model is configured, and otherwise never moves the proxy session's gauge nor raises an
 * alert. The active session runs on "small" (a 1,000-token window), so a Continue chat-compilation report of
 * 8,140 tokens measured against it reads 814 %.
 */
class LogFindingContextEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    FakeUpstream fake;
    @RegisterExtension
    final KimiServerExtension server = new KimiServerExtension().manualStart();
    Path log;
    String session;
    final List<HubMessage> published = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        fake = server.fake();
        log = dir.resolve("core.log");
        Files.writeString(log, "[info] Starting Continue core...\n");
        server.sectionsToml(String.join("\n",
                "[models.small]",
                "provider = \"fake\"",
                "context_window = 1000",
                "",
                LogWatcherEndToEndTest.continueSource(log))).start();
        server.server().hub().subscribe(published::add);
        // The active proxy session: one request on "small", 100 + 20 tokens = 12 % of its window.
        fake.enqueue(Reply.chatCompletion("Salut", 100, 20));
        assertThat(server.post("/v1/chat/completions", chatBody("small", false, "")).statusCode()).isEqualTo(200);
        JsonNode active = json(server.get("/api/sessions/active"));
        session = active.path("session_id").asText();
        assertThat(active.path("context").path("tokens").asLong()).isEqualTo(120);
        assertThat(active.path("context").path("window").asLong()).isEqualTo(1000);
    }


    @Test
    void findingsOfNoOrAnUnconfiguredModelNeitherMoveTheSessionsGaugeNorRaiseAnAlert() throws Exception {
        append(LogWatcherEndToEndTest.COMPILE_CHAT + "\n[2025-03-01T10:17:05] Received response: "
                + "{\"id\":\"chatcmpl-1\",\"model\":\"gpt-4o\","
                + "\"usage\":{\"prompt_tokens\":9000,\"completion_tokens\":95}}\n");

        List<JsonNode> records = awaitLogRecords(2);
        assertThat(records).extracting(r -> r.path("source").asText()).containsExactlyInAnyOrder("compile_chat",
                "logs");

        JsonNode after = json(server.get("/api/sessions/" + session));
        assertThat(after.path("totals").path("prompt_tokens").asLong()).isEqualTo(100 + 8140 + 9000);
        assertThat(after.path("context").path("tokens").asLong()).isEqualTo(120);
        assertThat(after.path("context").path("percent").asDouble()).isEqualTo(12.0);
        assertThat(alertEvents()).isEmpty();
        assertThat(published).filteredOn(m -> m.type().equals("alert")).isEmpty();
    }

    @Test
    void aFindingOfAConfiguredModelIsMeasuredAgainstThatModelsWindow() throws Exception {
        // kimi-k2's window is 262,144 tokens: 8,140 is 3 %, no alert (against "small" it would be 814 %).
        append("[2025-03-01T10:17:05] Received response: {\"model\":\"kimi-k2\","
                + "\"usage\":{\"prompt_tokens\":8140,\"completion_tokens\":0}}\n");
        awaitLogRecords(1);
        assertThat(alertEvents()).isEmpty();
        assertThat(json(server.get("/api/sessions/" + session)).path("context").path("tokens").asLong())
                .isEqualTo(120);

        // "tiny" has a 60-token window: 50 + 5 is 91.7 % of it, one "high" alert naming tiny and the log source;
        // the session, on "small", keeps its gauge.
        append("[2025-03-01T10:18:05] Received response: {\"model\":\"tiny\","
                + "\"usage\":{\"prompt_tokens\":50,\"completion_tokens\":5}}\n");
        awaitLogRecords(2);
        List<JsonNode> alerts = awaitAlertEvents(1);
        JsonNode alert = alerts.get(0).path("data");
        assertThat(alert.path("level").asText()).isEqualTo("high");
        assertThat(alert.path("model").asText()).isEqualTo("tiny");
        assertThat(alert.path("context_tokens").asLong()).isEqualTo(55);
        assertThat(alert.path("context_window").asLong()).isEqualTo(60);
        assertThat(alert.path("percent").asDouble()).isEqualTo(91.67);
        assertThat(alert.path("source").asText()).isEqualTo("log:c");
        assertThat(alert.path("message").asText()).contains("91", "tiny", "60");
        JsonNode after = json(server.get("/api/sessions/" + session));
        assertThat(after.path("context").path("tokens").asLong()).isEqualTo(120);
        assertThat(after.path("context").path("window").asLong()).isEqualTo(1000);

        // A finding of the session's own model is that conversation's fill: 700 + 50 is 75 % of "small".
        append("[2025-03-01T10:19:05] Received response: {\"model\":\"small\","
                + "\"usage\":{\"prompt_tokens\":700,\"completion_tokens\":50}}\n");
        awaitLogRecords(3);
        List<JsonNode> both = awaitAlertEvents(2);
        JsonNode own = both.get(1).path("data");
        assertThat(own.path("level").asText()).isEqualTo("warning");
        assertThat(own.path("model").asText()).isEqualTo("small");
        assertThat(own.has("source")).isFalse();
        assertThat(json(server.get("/api/sessions/" + session)).path("context").path("tokens").asLong())
                .isEqualTo(750);
    }

    // ---- helpers ----

    private void append(String text) throws Exception {
        Files.writeString(log, text, StandardOpenOption.APPEND);
    }

    /** Waits until the session lists {@code count} log-watcher records; returns them. */
    private List<JsonNode> awaitLogRecords(int count) {
        await(count + " log records in session " + session).atMost(WAIT).until(() -> logRecords().size() >= count);
        List<JsonNode> records = logRecords();
        assertThat(records).hasSize(count);
        return records;
    }

    private List<JsonNode> logRecords() {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode r : json(server.get("/api/sessions/" + session)).path("recent_requests")) {
            if (!"proxy".equals(r.path("source").asText())) {
                out.add(r);
            }
        }
        return out;
    }

    private List<JsonNode> awaitAlertEvents(int count) {
        await(count + " ALERT events in session " + session).atMost(WAIT).until(() -> alertEvents().size() >= count);
        List<JsonNode> alerts = alertEvents();
        assertThat(alerts).hasSize(count);
        return alerts;
    }

    /** The session's ALERT events, oldest first. */
    private List<JsonNode> alertEvents() {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : json(server.get("/api/sessions/" + session + "/events?limit=1000")).path("events")) {
            if ("ALERT".equals(e.path("event_type").asText())) {
                out.add(e);
            }
        }
        return out;
    }
}
