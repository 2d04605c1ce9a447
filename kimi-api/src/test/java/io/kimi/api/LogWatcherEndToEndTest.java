package io.kimi.api;

import static io.kimi.api.testing.KimiServerExtension.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kimi.api.testing.KimiServerExtension;
import io.kimi.testing.FakeUpstream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log watcher through a real server: lines written to watched files in the real Continue.dev and Kimi CLI
 * formats become request records of source {@code logs}, {@code compile_chat} or {@code error} in the right
 * session, listed by the REST API, pushed live, and reported in {@code /health}.
 */
class LogWatcherEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Continue's report of a prompt that did not fit: tools ~5210 + system message ~2930 = 8,140 tokens. */
    static final String COMPILE_CHAT = String.join("\n",
            "[2025-03-01T10:15:02] Error running handler for \"llm/compileChat\":  Error: Not enough context "
                    + "available to include the system message, last user message, and tools.",
            "        There must be at least 1000 tokens remaining for output.",
            "        Request had the following token counts:",
            "        - contextLength: 8192",
            "        - counting safety buffer: 163",
            "        - tools: ~5210",
            "        - system message: ~2930",
            "        - max output tokens: 4096");

    private static final String CONTINUE_LOG = String.join("\n",
            "[info] Starting Continue core...",
            "[2025-03-01T10:15:00] Loaded config from /home/dev/.continue/config.yaml",
            COMPILE_CHAT,
            "[2025-03-01T10:16:40] Error running handler for \"llm/streamChat\":  Error: HTTP 429 Too Many Requests "
                    + "from https://api.moonshot.ai/v1/chat/completions?api_key=sk-abcdefghijklmnop",
            "",
            "{\"error\":{\"message\":\"Your account org-1 request reached TPM rate limit\","
                    + "\"type\":\"rate_limit_reached_error\"}}",
            "[2025-03-01T10:17:05] Received response: {\"id\":\"chatcmpl-1\",\"model\":\"kimi-k2\","
                    + "\"usage\":{\"prompt_tokens\":812,\"completion_tokens\":95,\"total_tokens\":907}}",
            "");

    @TempDir
    Path dir;

    FakeUpstream fake;
    @RegisterExtension
    final KimiServerExtension server = new KimiServerExtension().manualStart();

    @BeforeEach
    void startFake() {
        fake = server.fake();
    }

    @Test
    void aContinueLogsFindingsBecomeRequestsOfTheActiveSessionStoredPushedAndReportedInHealth() throws Exception {
        server.start();
        String session = json(server.post("/api/sessions", "{\"name\":\"ide\"}")).path("session_id").asText();
        server.stop();
        Path log = dir.resolve("core.log");
        Files.writeString(log, CONTINUE_LOG);

        server.restart(s -> s.sectionsToml(continueSource(log)));

        Map<String, JsonNode> bySource = awaitLogRecords(session, 3);
        JsonNode compile = bySource.get("compile_chat");
        assertThat(compile.path("prompt_tokens").asInt()).isEqualTo(5210 + 2930);
        assertThat(compile.path("completion_tokens").asInt()).isZero();
        assertThat(compile.path("provider").asText()).isEqualTo("log:c");
        assertThat(compile.path("timestamp").asText()).startsWith("2025-03-01T10:15:02");
        JsonNode error = bySource.get("error");
        assertThat(error.path("status").asText()).isEqualTo("error");
        assertThat(error.path("error_message").asText())
                .contains("HTTP 429", "https://api.moonshot.ai/v1/chat/completions", "TPM rate limit")
                .doesNotContain("sk-abcdefghijklmnop");
        JsonNode usage = bySource.get("logs");
        assertThat(usage.path("model").asText()).isEqualTo("kimi-k2");
        assertThat(usage.path("prompt_tokens").asInt()).isEqualTo(812);
        assertThat(usage.path("completion_tokens").asInt()).isEqualTo(95);
        assertThat(usage.path("usage_source").asText()).isEqualTo("reported");
        assertThat(usage.path("cost_usd").asDouble()).isCloseTo((812 * 0.60 + 95 * 2.50) / 1_000_000,
                Offset.offset(1e-12));

        JsonNode totals = json(server.get("/api/sessions/" + session)).path("totals");
        assertThat(totals.path("prompt_tokens").asLong()).isEqualTo(812 + 5210 + 2930);

        try (WsTestClient ws = WsTestClient.connect(ws())) {
            ws.next("init");
            Files.writeString(log, "[2025-03-01T10:20:00] Chat finished: prompt tokens: 120, completion tokens: 30\n",
                    StandardOpenOption.APPEND);
            JsonNode metric = ws.next(m -> "metric".equals(m.path("type").asText())
                    && m.path("data").path("prompt_tokens").asInt() == 120, "metric of the new log line").path("data");
            assertThat(metric.path("source").asText()).isEqualTo("logs");
            assertThat(metric.path("session_id").asText()).isEqualTo(session);
            assertThat(metric.path("completion_tokens").asInt()).isEqualTo(30);
            JsonNode event = ws.next(m -> "event".equals(m.path("type").asText())
                    && "logs".equals(m.path("data").path("source").asText()), "event of the new log line");
            assertThat(event.path("event_type").asText()).isEqualTo("REQUEST_COMPLETED");
        }

        JsonNode source = json(server.get("/health")).path("log_watcher").path("sources").get(0);
        assertThat(json(server.get("/health")).path("log_watcher").path("enabled").asBoolean()).isTrue();
        assertThat(source.path("name").asText()).isEqualTo("c");
        assertThat(source.path("format").asText()).isEqualTo("continue");
        assertThat(source.path("state").asText()).isEqualTo("tailing");
        assertThat(source.path("findings").asLong()).isEqualTo(4);
        assertThat(source.path("position").asLong()).isEqualTo(Files.size(log));
        assertThat(source.path("last_finding_at").asText()).isNotEmpty();
    }

    @Test
    void aSourceNamingASessionCountsThereAndWithoutFromStartSkipsWhatTheFileAlreadyHeld() throws Exception {
        Path log = dir.resolve("kimi.log");
        Files.writeString(log, "2025-11-03 14:00:00.000 | DEBUG    | kimi_cli.soul.kimisoul:_step:276 | 7c1e2b40 - "
                + "Got step result: StepResult(usage=TokenUsage(input_other=999, output=9, input_cache_read=0, "
                + "input_cache_creation=0))\n");
        server.restart(s -> s.sectionsToml(String.join("\n",
                "[logs]",
                "poll_ms = 20",
                "[logs.sources.cli]",
                "path = \"" + log.toString().replace("\\", "/") + "\"",
                "format = \"kimi_cli\"",
                "session_id = \"cli-session\"",
                "")));
        String active = json(server.post("/api/sessions", "{\"name\":\"active one\"}")).path("session_id").asText();
        server.send(HttpRequest.newBuilder(server.uri("/chat/completions"))
                .header("Content-Type", "application/json")
                .header("X-Session-Id", "cli-session")
                .POST(HttpRequest.BodyPublishers.ofString(KimiServerExtension.chatBody("kimi-k2", false, ""))));
        awaitHealth(s -> "tailing".equals(s.path("state").asText()));

        Files.writeString(log, String.join("\n",
                "2025-11-03 14:02:11.532 | INFO     | kimi_cli.app:create:93 | 7c1e2b40 - Using LLM model: "
                        + "provider='moonshot' model='kimi-k2' max_context_size=262144 capabilities=None",
                "2025-11-03 14:02:19.877 | DEBUG    | kimi_cli.soul.kimisoul:_step:276 | 7c1e2b40 - Got step result: "
                        + "StepResult(id='chatcmpl-9', usage=TokenUsage(input_other=1830, output=212, "
                        + "input_cache_read=10240, input_cache_creation=0), tool_calls=[])",
                "2025-11-03 14:03:02.004 | ERROR    | kimi_cli.soul.kimisoul:_agent_loop:198 | 7c1e2b40 - Error code: "
                        + "429 - {'error': {'message': 'rate limit reached', 'type': 'rate_limit_reached_error'}}",
                ""), StandardOpenOption.APPEND);

        Map<String, JsonNode> bySource = awaitLogRecords("cli-session", 2);
        assertThat(bySource.get("logs").path("prompt_tokens").asInt()).isEqualTo(1830 + 10240);
        assertThat(bySource.get("logs").path("completion_tokens").asInt()).isEqualTo(212);
        assertThat(bySource.get("logs").path("provider").asText()).isEqualTo("log:cli");
        assertThat(bySource.get("error").path("error_message").asText()).containsIgnoringCase("rate limit");
        assertThat(logRecords(active)).isEmpty();
        JsonNode source = json(server.get("/health")).path("log_watcher").path("sources").get(0);
        assertThat(source.path("findings").asLong()).isEqualTo(2);
    }

    // ---- helpers ----

    /** A {@code [logs]} section watching {@code log}, in Continue's format, from its start, as source "c". */
    static String continueSource(Path log) {
        return String.join("\n",
                "[logs]",
                "poll_ms = 20",
                "[logs.sources.c]",
                "path = \"" + log.toString().replace("\\", "/") + "\"",
                "format = \"continue\"",
                "from_start = true",
                "");
    }

    /** Waits until the session lists {@code count} log-watcher records; returns them by source. */
    private Map<String, JsonNode> awaitLogRecords(String session, int count) {
        await(count + " log records in session " + session).atMost(WAIT)
                .until(() -> logRecords(session).size() >= count);
        Map<String, JsonNode> bySource = logRecords(session);
        assertThat(bySource).hasSize(count);
        return bySource;
    }

    private Map<String, JsonNode> logRecords(String session) {
        Map<String, JsonNode> bySource = new HashMap<>();
        for (JsonNode r : json(server.get("/api/sessions/" + session)).path("recent_requests")) {
            if (!"proxy".equals(r.path("source").asText())) {
                bySource.put(r.path("source").asText(), r);
            }
        }
        return bySource;
    }

    private void awaitHealth(Predicate<JsonNode> sourceState) {
        await("the log source's state in /health").atMost(WAIT).until(() -> sourceState.test(
                json(server.get("/health")).path("log_watcher").path("sources").get(0)));
    }

    private URI ws() {
        return server.wsUri("/ws");
    }
}
