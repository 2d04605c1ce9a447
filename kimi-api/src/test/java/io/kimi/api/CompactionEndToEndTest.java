package io.kimi.api;

import static io.kimi.api.Chats.append;
import static io.kimi.api.Chats.body;
import static io.kimi.api.Chats.message;
import static io.kimi.api.Chats.toolCall;
import static io.kimi.api.Chats.toolResult;
import static io.kimi.api.testing.KimiServerExtension.json;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.kimi.api.testing.KimiServerExtension;
import io.kimi.testing.FakeUpstream;
import io.kimi.testing.RecordedRequest;
import io.kimi.testing.Reply;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Manual and automatic compaction through a real server: preview, execute, the compacted conversation the fake
 * upstream really receives on later requests, undo, errors, and a restart on the same database.
 */
class CompactionEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    FakeUpstream fake;
    @RegisterExtension
    final KimiServerExtension server = new KimiServerExtension().manualStart();
    /** Sent as a Bearer token when set (a server started with an access token). */
    String token;

    @BeforeEach
    void start() {
        fake = server.fake();
        server.start();
    }


    @Test
    void aCompactionReplacesTheMiddleOfEveryLaterRequestUntilItIsUndone() throws Exception {
        ArrayNode history = conversation("Orders", 7);
        assertThat(history).hasSize(30);
        send("cmp-manual", history);
        fake.takeRequest(WAIT);

        HttpResponse<String> previewed = server.post("/api/sessions/cmp-manual/compaction/preview", "");
        assertThat(previewed.statusCode()).isEqualTo(200);
        JsonNode preview = json(previewed);
        assertThat(preview.path("session_id").asText()).isEqualTo("cmp-manual");
        assertThat(preview.path("messages_total").asInt()).isEqualTo(30);
        int replaced = preview.path("messages_replaced").asInt();
        assertThat(replaced).isBetween(2, 28);
        assertThat(preview.path("messages_kept").asInt()).isEqualTo(30 - replaced);
        assertThat(preview.path("tokens_before").asInt()).isGreaterThan(preview.path("tokens_after").asInt());
        assertThat(preview.path("saved_tokens").asInt())
                .isEqualTo(preview.path("tokens_before").asInt() - preview.path("tokens_after").asInt());
        assertThat(preview.path("method").asText()).isEqualTo("heuristic");
        assertThat(preview.path("summary").asText()).startsWith("[kimi-compaction ");

        JsonNode record;
        try (WsTestClient ws = WsTestClient.connect(ws())) {
            ws.next("init");
            HttpResponse<String> executed = server.post("/api/sessions/cmp-manual/compaction", "");
            assertThat(executed.statusCode()).isEqualTo(201);
            record = json(executed);
            JsonNode applied = nextEvent(ws, "COMPACTION_APPLIED");
            assertThat(applied.path("session_id").asText()).isEqualTo("cmp-manual");
            assertThat(applied.path("data").path("compaction_id").asText())
                    .isEqualTo(record.path("compaction_id").asText());
            assertThat(applied.path("data").path("tokens_before").asInt()).isEqualTo(record.path("tokens_before").asInt());
            assertThat(applied.path("data").path("tokens_after").asInt()).isEqualTo(record.path("tokens_after").asInt());
            assertThat(applied.path("data").path("automatic").asBoolean()).isFalse();
        }
        assertThat(record.path("compaction_id").asText()).startsWith("cmp_");
        assertThat(record.path("session_id").asText()).isEqualTo("cmp-manual");
        assertThat(record.path("messages_replaced").asInt()).isEqualTo(replaced);
        assertThat(record.path("summary").asText()).isEqualTo(preview.path("summary").asText());
        assertThat(record.path("tokens_before").asInt()).isEqualTo(preview.path("tokens_before").asInt());
        assertThat(record.path("tokens_after").asInt()).isEqualTo(preview.path("tokens_after").asInt());
        assertThat(record.path("active").asBoolean()).isTrue();
        assertThat(record.path("automatic").asBoolean()).isFalse();
        assertThat(record.path("undone_at").isNull()).isTrue();

        ArrayNode next = append(history, message("assistant", "Done with Orders."), message("user", "Now billing."));
        send("cmp-manual", next);
        JsonNode compacted = fake.takeRequest(WAIT).bodyAsJson().path("messages");
        assertCompacted(compacted, next, replaced, record.path("summary").asText());
        JsonNode completed = lastRequestEvent("cmp-manual");
        assertThat(completed.path("features").path("compaction").path("changed").asInt()).isEqualTo(replaced);
        assertThat(completed.path("original_prompt_tokens").asInt())
                .isGreaterThan(completed.path("estimated_prompt_tokens").asInt());

        JsonNode state = json(server.get("/api/sessions/cmp-manual/compaction"));
        assertThat(state.path("enabled").asBoolean()).isTrue();
        assertThat(state.path("auto").asBoolean()).isTrue();
        assertThat(state.path("threshold").asDouble()).isEqualTo(0.85);
        assertThat(state.path("keep_last_exchanges").asInt()).isEqualTo(4);
        assertThat(state.path("conversation_seen").asBoolean()).isTrue();
        assertThat(state.path("messages").asInt()).isEqualTo(compacted.size());
        assertThat(state.path("active")).hasSize(1);
        assertThat(state.path("active").get(0).path("compaction_id").asText())
                .isEqualTo(record.path("compaction_id").asText());
        assertThat(state.path("history")).hasSize(1);

        try (WsTestClient ws = WsTestClient.connect(ws())) {
            ws.next("init");
            HttpResponse<String> undo = server.post("/api/sessions/cmp-manual/compaction/undo", "");
            assertThat(undo.statusCode()).isEqualTo(200);
            assertThat(json(undo).path("compaction_id").asText()).isEqualTo(record.path("compaction_id").asText());
            assertThat(json(undo).path("active").asBoolean()).isFalse();
            assertThat(json(undo).path("undone_at").asText()).isNotEmpty();
            JsonNode undone = nextEvent(ws, "COMPACTION_UNDONE");
            assertThat(undone.path("data").path("compaction_id").asText())
                    .isEqualTo(record.path("compaction_id").asText());
        }
        send("cmp-manual", next);
        assertThat(fake.takeRequest(WAIT).bodyAsJson().path("messages")).isEqualTo(next);

        HttpResponse<String> again = server.post("/api/sessions/cmp-manual/compaction/undo", "");
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(json(again).path("error").path("code").asText()).isEqualTo("no_active_compaction");
        JsonNode after = json(server.get("/api/sessions/cmp-manual/compaction"));
        assertThat(after.path("active")).isEmpty();
        assertThat(after.path("history")).hasSize(1);
        assertThat(after.path("history").get(0).path("active").asBoolean()).isFalse();
    }

    @Test
    void shortOrUnseenConversationsHaveNothingToCompactAndUnknownSessionsAreNotFound() throws Exception {
        String fresh = json(server.post("/api/sessions", "{\"name\":\"fresh\"}")).path("session_id").asText();
        HttpResponse<String> unseen = server.post("/api/sessions/" + fresh + "/compaction/preview", "");
        assertThat(unseen.statusCode()).isEqualTo(409);
        assertThat(json(unseen).path("error").path("code").asText()).isEqualTo("nothing_to_compact");
        assertThat(json(unseen).path("error").path("message").asText()).contains("no conversation seen");

        send("cmp-short", conversation("Short", 1));
        fake.takeRequest(WAIT);
        HttpResponse<String> shortOne = server.post("/api/sessions/cmp-short/compaction", "");
        assertThat(shortOne.statusCode()).isEqualTo(409);
        assertThat(json(shortOne).path("error").path("code").asText()).isEqualTo("nothing_to_compact");

        for (String path : new String[] {"/compaction/preview", "/compaction", "/compaction/undo"}) {
            HttpResponse<String> unknown = server.post("/api/sessions/no-such-session" + path, "");
            assertThat(unknown.statusCode()).as(path).isEqualTo(404);
            assertThat(json(unknown).path("error").path("code").asText()).isEqualTo("session_not_found");
        }
        assertThat(server.get("/api/sessions/no-such-session/compaction").statusCode()).isEqualTo(404);
    }

    @Test
    void compactionTurnedOffRefusesNewOnesAndSendsRequestsInFull() throws Exception {
        ArrayNode history = conversation("Toggle", 7);
        send("cmp-off", history);
        fake.takeRequest(WAIT);
        assertThat(server.post("/api/sessions/cmp-off/compaction", "").statusCode()).isEqualTo(201);

        server.put("/api/features/compaction", "{\"enabled\":false}");
        HttpResponse<String> refused = server.post("/api/sessions/cmp-off/compaction/preview", "");
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(json(refused).path("error").path("code").asText()).isEqualTo("feature_disabled");
        send("cmp-off", history);
        assertThat(fake.takeRequest(WAIT).bodyAsJson().path("messages")).isEqualTo(history);

        server.put("/api/features/compaction", "{\"enabled\":true}");
        send("cmp-off", history);
        assertThat(fake.takeRequest(WAIT).bodyAsJson().path("messages").size()).isLessThan(history.size());
    }

    @Test
    void aCompactionStillAppliesAfterTheServerRestartsOnTheSameDatabase() throws Exception {
        ArrayNode history = conversation("Restart", 7);
        send("cmp-restart", history);
        fake.takeRequest(WAIT);
        JsonNode record = json(server.post("/api/sessions/cmp-restart/compaction", ""));
        int replaced = record.path("messages_replaced").asInt();

        server.restart();

        JsonNode state = json(server.get("/api/sessions/cmp-restart/compaction"));
        assertThat(state.path("active")).hasSize(1);
        assertThat(state.path("active").get(0).path("compaction_id").asText())
                .isEqualTo(record.path("compaction_id").asText());
        ArrayNode next = append(history, message("assistant", "Restarted."), message("user", "Carry on."));
        send("cmp-restart", next);
        assertCompacted(fake.takeRequest(WAIT).bodyAsJson().path("messages"), next, replaced,
                record.path("summary").asText());
        // After a restart the conversation is seen again, so it can be undone and compacted anew.
        assertThat(server.post("/api/sessions/cmp-restart/compaction/undo", "").statusCode()).isEqualTo(200);
    }

    @Test
    void aRequestOverTheThresholdIsFollowedByAnAutomaticCompactionThatShrinksTheNextOne() throws Exception {
        ArrayNode history = conversation("Automatic", 7);
        int tokens = Chats.promptTokens(KimiServerExtension.JSON.readTree(body("small", history)));
        int window = (int) (tokens / 0.9);
        server.restart(s -> s.sectionsToml("[models.small]\nprovider = \"fake\"\ncontext_window = " + window + "\n"));

        JsonNode applied;
        try (WsTestClient ws = WsTestClient.connect(ws())) {
            ws.next("init");
            send("cmp-auto", history);
            fake.takeRequest(WAIT);
            applied = nextEvent(ws, "COMPACTION_APPLIED");
        }
        assertThat(applied.path("session_id").asText()).isEqualTo("cmp-auto");
        JsonNode data = applied.path("data");
        assertThat(data.path("automatic").asBoolean()).isTrue();
        assertThat(data.path("tokens_before").asInt()).isGreaterThan(data.path("tokens_after").asInt());

        ArrayNode next = append(history, message("assistant", "Noted."), message("user", "What next?"));
        send("cmp-auto", next);
        JsonNode sent = fake.takeRequest(WAIT).bodyAsJson();
        assertCompacted(sent.path("messages"), next, data.path("messages_replaced").asInt(),
                data.path("summary").asText());
        assertThat(Chats.promptTokens(sent)).isLessThan(tokens);
        JsonNode state = json(server.get("/api/sessions/cmp-auto/compaction"));
        assertThat(state.path("active").get(0).path("automatic").asBoolean()).isTrue();
    }

    @Test
    void aRequestRefusedForItsSizeIsCompactedAutomaticallySoTheRetryFits() throws Exception {
        ArrayNode history = conversation("Oversized", 7);
        int tokens = Chats.promptTokens(KimiServerExtension.JSON.readTree(body("small", history)));
        server.restart(s -> s.sectionsToml(
                "[models.small]\nprovider = \"fake\"\ncontext_window = " + (int) (tokens / 1.1) + "\n"));

        try (WsTestClient ws = WsTestClient.connect(ws())) {
            ws.next("init");
            HttpResponse<String> refused = server.send(HttpRequest.newBuilder(server.uri("/chat/completions"))
                    .header("Content-Type", "application/json")
                    .header("X-Session-Id", "cmp-auto")
                    .POST(HttpRequest.BodyPublishers.ofString(body("small", history))));
            assertThat(refused.statusCode()).isEqualTo(413);
            assertThat(nextEvent(ws, "COMPACTION_APPLIED").path("data").path("automatic").asBoolean()).isTrue();
        }
        assertThat(fake.requests()).isEmpty();

        send("cmp-auto", history);
        JsonNode sent = fake.takeRequest(WAIT).bodyAsJson();
        assertThat(sent.path("messages").size()).isLessThan(history.size());
        assertThat(Chats.promptTokens(sent)).isLessThan((int) (tokens / 1.1));
    }

    @Test
    void aConfiguredSummaryModelWritesTheSummaryThroughTheProxyPathWithoutNeedingTheAccessToken()
            throws Exception {
        server.restart(s -> s.serverToml("auth_token = \"${FAKE_API_KEY}\"")
                .sectionsToml("[features.compaction]\nsummary_model = \"kimi-k2\"\nsummary_timeout_ms = 5000\n"));
        token = KimiServerExtension.API_KEY;
        ArrayNode history = conversation("Modelled", 7);
        send("cmp-model", history);
        fake.takeRequest(WAIT);
        fake.enqueue(Reply.chatCompletion("The agent read seven Modelled files; each keeps a map of orders.", 900,
                20));

        HttpResponse<String> executed = server.send(HttpRequest.newBuilder(
                server.uri("/api/sessions/cmp-model/compaction"))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.noBody()));

        assertThat(executed.statusCode()).as(executed.body()).isEqualTo(201);
        JsonNode record = json(executed);
        assertThat(record.path("method").asText()).isEqualTo("model");
        assertThat(record.path("summary").asText())
                .startsWith("[kimi-compaction ")
                .endsWith("The agent read seven Modelled files; each keeps a map of orders.");
        RecordedRequest summariser = fake.takeRequest(WAIT);
        assertThat(summariser.bodyAsJson().path("model").asText()).isEqualTo("kimi-k2-0905-preview");
        assertThat(summariser.bodyAsString()).contains("ModelledStep1.java");
        JsonNode cost = json(server.send(HttpRequest.newBuilder(server.uri("/api/sessions/kimi-compaction"))
                .header("Authorization", "Bearer " + token).GET()));
        assertThat(cost.path("totals").path("prompt_tokens").asInt()).isEqualTo(900);

        ArrayNode next = append(history, message("assistant", "Ok."), message("user", "Next."));
        send("cmp-model", next);
        assertCompacted(fake.takeRequest(WAIT).bodyAsJson().path("messages"), next,
                record.path("messages_replaced").asInt(), record.path("summary").asText());
    }

    @Test
    void theSummaryModelIsAskedInProcessNotThroughTheServersOwnPort() throws Exception {
        // One connection at most: the test client's. A summariser calling the server's own port would be refused
        // and fall back to the heuristic summary; the in-process path needs no connection.
        server.restart(s -> s.serverToml("max_connections = 1")
                .sectionsToml("[features.compaction]\nsummary_model = \"kimi-k2\"\nsummary_timeout_ms = 5000\n"));
        ArrayNode history = conversation("Inproc", 7);
        send("cmp-inproc", history);
        fake.takeRequest(WAIT);
        fake.enqueue(Reply.chatCompletion("The agent read seven Inproc files.", 700, 12));

        try (LogCapture logs = new LogCapture("io.kimi", Level.DEBUG)) {
            HttpResponse<String> executed = server.post("/api/sessions/cmp-inproc/compaction", "");

            assertThat(executed.statusCode()).as(executed.body()).isEqualTo(201);
            assertThat(json(executed).path("method").asText()).isEqualTo("model");
            assertThat(json(executed).path("summary").asText()).endsWith("The agent read seven Inproc files.");
            RecordedRequest summariser = fake.takeRequest(WAIT);
            assertThat(summariser.header("Authorization")).isEqualTo("Bearer " + KimiServerExtension.API_KEY);
            JsonNode cost = json(server.get("/api/sessions/kimi-compaction"));
            assertThat(cost.path("totals").path("requests").asInt()).isEqualTo(1);
            assertThat(cost.path("totals").path("prompt_tokens").asInt()).isEqualTo(700);
            assertThat(logs.events()).noneSatisfy(e -> assertThat(e.getFormattedMessage())
                    .contains(KimiServerExtension.API_KEY));
        }
    }

    // ---- helpers ----

    /**
     * A coding conversation: a system prompt, then per exchange a user request, an assistant tool call, its
     * result (a few hundred tokens: below the sanitizer's threshold) and an assistant reply; then a last user
     * message. {@code 2 + 4 * exchanges} messages.
     */
    static ArrayNode conversation(String topic, int exchanges) {
        ArrayNode a = Chats.NODES.arrayNode();
        a.add(message("system", "You are a careful coding agent working on the " + topic + " service."));
        for (int i = 1; i <= exchanges; i++) {
            String id = "call_" + topic.toLowerCase() + "_" + i;
            a.add(message("user", "Step " + i + ": look at " + topic + "Step" + i + ".java and explain it."));
            a.add(toolCall(id, "read_file", "{\"path\":\"src/" + topic + "Step" + i + ".java\"}"));
            a.add(toolResult(id, Chats.bigOutput(topic + i, 15)));
            a.add(message("assistant", "Step " + i + " of " + topic + " keeps a map of orders by id; it is fine."));
        }
        a.add(message("user", "Summarise what we learned about " + topic + "."));
        return a;
    }

    /**
     * The sent messages are the client's with {@code replaced} messages after the system prompt replaced by one
     * system message holding the summary.
     */
    private static void assertCompacted(JsonNode sent, ArrayNode client, int replaced, String summary) {
        assertThat(sent).hasSize(client.size() - replaced + 1);
        assertThat(sent.get(0)).isEqualTo(client.get(0));
        assertThat(sent.get(1).path("role").asText()).isEqualTo("system");
        assertThat(sent.get(1).path("content").asText()).isEqualTo(summary);
        for (int i = 2; i < sent.size(); i++) {
            assertThat(sent.get(i)).isEqualTo(client.get(i + replaced - 1));
        }
    }

    private void send(String session, ArrayNode messages) {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.uri("/chat/completions"))
                .header("Content-Type", "application/json")
                .header("X-Session-Id", session)
                .POST(HttpRequest.BodyPublishers.ofString(body(modelOf(session), messages)));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = server.send(request);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    private static String modelOf(String session) {
        return session.equals("cmp-auto") ? "small" : "kimi-k2";
    }

    /** The data of the session's newest REQUEST_COMPLETED event (events are listed oldest first). */
    private JsonNode lastRequestEvent(String session) {
        JsonNode last = null;
        for (JsonNode e : json(server.get("/api/sessions/" + session + "/events?limit=100")).path("events")) {
            if ("REQUEST_COMPLETED".equals(e.path("event_type").asText())) {
                last = e.path("data");
            }
        }
        assertThat(last).as("a REQUEST_COMPLETED event in session " + session).isNotNull();
        return last;
    }

    private URI ws() {
        return server.wsUri("/ws");
    }

    private static JsonNode nextEvent(WsTestClient ws, String type) {
        return ws.next(m -> "event".equals(m.path("type").asText()) && type.equals(m.path("event_type").asText()),
                type);
    }
}
