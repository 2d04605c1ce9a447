package io.kimi.api;

import static io.kimi.api.Chats.append;
import static io.kimi.api.Chats.bigOutput;
import static io.kimi.api.Chats.body;
import static io.kimi.api.Chats.message;
import static io.kimi.api.Chats.messages;
import static io.kimi.api.Chats.toolCall;
import static io.kimi.api.Chats.toolResult;
import static io.kimi.api.testing.KimiServerExtension.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.api.testing.KimiServerExtension;
import io.kimi.features.MessageHash;
import io.kimi.testing.FakeUpstream;
import io.kimi.testing.RecordedRequest;
import io.kimi.testing.ToolHeavyConversation;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tool-call repair, the sanitizer and MCP memory detection through a real server: what the fake upstream really
 * received, and what the REST routes and the WebSocket show.
 */
class ContextFeaturesEndToEndTest {
    private static final Logger log = LoggerFactory.getLogger(ContextFeaturesEndToEndTest.class);
    private static final Duration WAIT = Duration.ofSeconds(5);
    /** A generous repair budget, so a cold JVM's first repair never runs out of time in a test. */
    private static final String SECTIONS = "[features.tool_repair]\nbudget_ms = 2000\n";

    FakeUpstream fake;
    @RegisterExtension
    final KimiServerExtension server = new KimiServerExtension().manualStart();

    @BeforeEach
    void start() {
        fake = server.fake();
        server.sectionsToml(SECTIONS).start();
    }


    // ---- sanitizer ----

    @Test
    void aLargeToolResultReachesTheUpstreamAsAPlaceholderAndItsOriginalIsServedByHash() throws Exception {
        String original = bigOutput("Sanitized", 250);
        ArrayNode sent = readFileConversation(original);

        assertThat(server.post("/chat/completions", body("kimi-k2", sent)).statusCode()).isEqualTo(200);

        JsonNode upstream = fake.takeRequest(WAIT).bodyAsJson().path("messages");
        String hash = MessageHash.ofText(original);
        assertThat(upstream).hasSize(sent.size());
        for (int i : new int[] {0, 1, 2, 4}) {
            assertThat(upstream.get(i)).isEqualTo(sent.get(i));
        }
        JsonNode masked = upstream.get(3);
        assertThat(masked.path("tool_call_id").asText()).isEqualTo("call_read");
        String placeholder = masked.path("content").asText();
        assertThat(placeholder)
                .startsWith("[kimi-mask " + hash + "] ")
                .contains("tokens of read_file output masked by the proxy. Preview:\n")
                .endsWith("\nFull text: GET /api/mask/" + hash)
                .doesNotContain(original.substring(2_000, 2_400));
        assertThat(placeholder.length()).isLessThan(original.length() / 20);

        JsonNode list = json(server.get("/api/mask"));
        assertThat(list.path("total").asInt()).isEqualTo(1);
        assertThat(list.path("limit").asInt()).isEqualTo(50);
        JsonNode entry = list.path("masks").get(0);
        assertThat(entry.path("hash").asText()).isEqualTo(hash);
        assertThat(entry.path("role").asText()).isEqualTo("tool");
        assertThat(entry.path("tool_name").asText()).isEqualTo("read_file");
        assertThat(entry.path("session_id").asText()).isEqualTo(activeSessionId());
        assertThat(entry.path("original_tokens").asInt()).isGreaterThan(4_000);
        assertThat(entry.path("saved_tokens").asInt())
                .isEqualTo(entry.path("original_tokens").asInt() - entry.path("placeholder_tokens").asInt());
        assertThat(entry.path("preview").asText()).isEqualTo(original.substring(0, 200) + "…");
        assertThat(entry.has("content")).isFalse();

        JsonNode one = json(server.get("/api/mask/" + hash));
        assertThat(one.path("content").asText()).isEqualTo(original);
        assertThat(one.path("hash").asText()).isEqualTo(hash);
        assertThat(one.path("request_id").asText()).startsWith("req_");

        HttpResponse<String> text = server.get("/api/mask/" + hash + "?format=text");
        assertThat(text.statusCode()).isEqualTo(200);
        assertThat(text.headers().firstValue("content-type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("text/plain"));
        assertThat(text.body()).isEqualTo(original);

        JsonNode stats = json(server.get("/api/sanitizer/stats"));
        assertThat(stats.path("enabled").asBoolean()).isTrue();
        assertThat(stats.path("threshold_tokens").asInt()).isEqualTo(1000);
        assertThat(stats.path("masks").asInt()).isEqualTo(1);
        assertThat(stats.path("saved_tokens").asInt()).isEqualTo(entry.path("saved_tokens").asInt());
        assertThat(stats.path("requests_seen").asInt()).isEqualTo(1);
        assertThat(stats.path("requests_masked").asInt()).isEqualTo(1);
        assertThat(stats.path("messages_masked").asInt()).isEqualTo(1);
        assertThat(stats.path("tokens_saved_since_start").asInt()).isEqualTo(entry.path("saved_tokens").asInt());
    }

    @Test
    void maskRoutesRefuseMalformedAndUnknownHashes() {
        HttpResponse<String> bad = server.get("/api/mask/not-a-hash");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json(bad).path("error").path("code").asText()).isEqualTo("invalid_hash");

        HttpResponse<String> unknown = server.get("/api/mask/" + "0".repeat(32));
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).path("error").path("code").asText()).isEqualTo("mask_not_found");

        HttpResponse<String> badLimit = server.get("/api/mask?limit=0");
        assertThat(badLimit.statusCode()).isEqualTo(400);
        JsonNode empty = json(server.get("/api/mask?limit=5&offset=3"));
        assertThat(empty.path("masks")).isEmpty();
        assertThat(empty.path("total").asInt()).isZero();
        assertThat(empty.path("offset").asInt()).isEqualTo(3);
    }

    @Test
    void theSanitizerTurnedOffAtRuntimeLetsTheNextRequestGoUnmasked() throws Exception {
        ArrayNode sent = readFileConversation(bigOutput("Toggled", 250));
        server.post("/chat/completions", body("kimi-k2", sent));
        assertThat(fake.takeRequest(WAIT).bodyAsJson().path("messages").get(3).path("content").asText())
                .startsWith("[kimi-mask ");

        HttpResponse<String> off = server.post("/api/sanitizer/toggle", "{\"enabled\":false}");
        assertThat(off.statusCode()).isEqualTo(200);
        assertThat(json(off).path("enabled").asBoolean()).isFalse();
        assertThat(json(server.get("/api/sanitizer/stats")).path("enabled").asBoolean()).isFalse();
        server.post("/chat/completions", body("kimi-k2", sent));
        assertThat(fake.takeRequest(WAIT).bodyAsJson().path("messages")).isEqualTo(sent);

        HttpResponse<String> flipped = server.post("/api/sanitizer/toggle", "");
        assertThat(json(flipped).path("enabled").asBoolean()).isTrue();
        server.post("/chat/completions", body("kimi-k2", sent));
        assertThat(fake.takeRequest(WAIT).bodyAsJson().path("messages").get(3).path("content").asText())
                .startsWith("[kimi-mask ");

        HttpResponse<String> put = server.put("/api/features/sanitizer", "{\"enabled\":false}");
        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(json(put).path("name").asText()).isEqualTo("sanitizer");
        assertThat(json(put).path("enabled").asBoolean()).isFalse();
        server.post("/chat/completions", body("kimi-k2", sent));
        assertThat(fake.takeRequest(WAIT).bodyAsJson().path("messages")).isEqualTo(sent);
        assertThat(json(server.get("/health")).path("features").path("sanitizer").asBoolean()).isFalse();
    }

    @Test
    void featuresAreListedInTheirOrderAndUnknownOrMalformedSwitchesAreRefused() {
        JsonNode list = json(server.get("/api/features")).path("features");
        List<String> names = new ArrayList<>();
        list.forEach(f -> names.add(f.path("name").asText()));
        assertThat(names).containsExactly("tool_repair", "sanitizer", "compaction", "memory");
        list.forEach(f -> assertThat(f.path("enabled").asBoolean()).isTrue());
        assertThat(list.get(2).path("order").asInt()).isEqualTo(3);

        HttpResponse<String> unknown = server.put("/api/features/teleport", "{\"enabled\":true}");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).path("error").path("code").asText()).isEqualTo("feature_not_found");
        HttpResponse<String> notBoolean = server.put("/api/features/memory", "{\"enabled\":\"yes\"}");
        assertThat(notBoolean.statusCode()).isEqualTo(400);
        HttpResponse<String> notJson = server.put("/api/features/memory", "{enabled");
        assertThat(notJson.statusCode()).isEqualTo(400);
        HttpResponse<String> badToggle = server.post("/api/sanitizer/toggle", "{\"on\":1}");
        assertThat(badToggle.statusCode()).isEqualTo(400);

        assertThat(json(server.get("/api/features")).path("features").get(3).path("enabled").asBoolean()).isTrue();
    }

    @Test
    void requestEventsSayWhatTheFeaturesDidAndAMaskIsAnnouncedOncePerSession() throws Exception {
        ArrayNode sent = readFileConversation(bigOutput("Announced", 250));
        try (WsTestClient ws = WsTestClient.connect(ws())) {
            ws.next("init");
            server.post("/chat/completions", body("kimi-k2", sent));

            JsonNode completed = nextEvent(ws, "REQUEST_COMPLETED").path("data");
            JsonNode sanitizer = completed.path("features").path("sanitizer");
            assertThat(sanitizer.path("changed").asInt()).isEqualTo(1);
            assertThat(sanitizer.path("saved_tokens").asInt()).isGreaterThan(3_500);
            assertThat(sanitizer.path("masked").get(0).path("hash").asText()).hasSize(32);
            assertThat(completed.path("features").path("memory").path("markers").asInt()).isZero();
            int original = completed.path("original_prompt_tokens").asInt();
            int estimated = completed.path("estimated_prompt_tokens").asInt();
            assertThat(original - estimated).isEqualTo(sanitizer.path("saved_tokens").asInt());
            RecordedRequest upstream = fake.takeRequest(WAIT);
            assertThat(Chats.promptTokens(upstream.bodyAsJson())).isEqualTo(estimated);
            assertThat(Chats.promptTokens(KimiServerExtension.JSON.readTree(body("kimi-k2", sent))))
                    .isEqualTo(original);

            JsonNode announced = nextEvent(ws, "CONTENT_MASKED").path("data");
            assertThat(announced.path("request_id").asText()).isEqualTo(completed.path("request_id").asText());
            assertThat(announced.path("count").asInt()).isEqualTo(1);
            assertThat(announced.path("saved_tokens").asInt()).isEqualTo(sanitizer.path("saved_tokens").asInt());

            server.post("/chat/completions", body("kimi-k2", sent));
            nextEvent(ws, "REQUEST_COMPLETED");
        }
        // Recording is ordered: once the second request is visible, anything it announced is stored too.
        JsonNode events = json(server.get("/api/sessions/" + activeSessionId() + "/events?limit=100")).path("events");
        assertThat(types(events)).containsOnlyOnce("CONTENT_MASKED");
        assertThat(types(events).stream().filter("REQUEST_COMPLETED"::equals)).hasSize(2);
    }

    // ---- tool-call repair ----

    @Test
    void brokenToolCallsReachTheUpstreamRepairedAndAResentHistoryGetsTheSameIds() throws Exception {
        ObjectNode noIdObjectArgs = assistantWithoutContent();
        ObjectNode call = noIdObjectArgs.putArray("tool_calls").addObject().put("type", "function");
        call.putObject("function").put("name", "read_file").putObject("arguments").put("path", "a.txt");
        ArrayNode sent = messages(
                message("system", "You are a coding agent."),
                message("user", "Look at a.txt and grep for foo."),
                noIdObjectArgs,
                message("tool", "contents of a.txt"),
                toolCall("call_grep", "grep", "{'pattern': 'foo', path: 'src',}"),
                toolResult("call_grep", "src/Foo.java:3: foo()"),
                toolCall("call_bad", "list_dir", "I will now list the directory."),
                toolResult("call_bad", "a.txt\nsrc/"),
                message("user", "Go on."));

        server.post("/chat/completions", body("kimi-k2", sent));

        JsonNode upstream = fake.takeRequest(WAIT).bodyAsJson().path("messages");
        JsonNode repaired = upstream.get(2).path("tool_calls").get(0);
        String id = repaired.path("id").asText();
        assertThat(id).matches("call_[A-Za-z0-9]{24}");
        assertThat(repaired.path("function").path("arguments").isTextual()).isTrue();
        assertThat(KimiServerExtension.JSON.readTree(repaired.path("function").path("arguments").asText()))
                .isEqualTo(KimiServerExtension.JSON.readTree("{\"path\":\"a.txt\"}"));
        assertThat(upstream.get(3).path("tool_call_id").asText()).isEqualTo(id);
        assertThat(KimiServerExtension.JSON.readTree(
                upstream.get(4).path("tool_calls").get(0).path("function").path("arguments").asText()))
                .isEqualTo(KimiServerExtension.JSON.readTree("{\"pattern\":\"foo\",\"path\":\"src\"}"));
        assertThat(upstream.get(6)).isEqualTo(sent.get(6));
        for (int i : new int[] {0, 1, 5, 7, 8}) {
            assertThat(upstream.get(i)).isEqualTo(sent.get(i));
        }

        server.post("/chat/completions", body("kimi-k2", append(sent, message("assistant", "Done."),
                message("user", "Thanks."))));
        JsonNode again = fake.takeRequest(WAIT).bodyAsJson().path("messages");
        assertThat(again.get(2)).isEqualTo(upstream.get(2));
        assertThat(again.get(3)).isEqualTo(upstream.get(3));

        JsonNode events = json(server.get("/api/sessions/" + activeSessionId() + "/events?limit=100")).path("events");
        assertThat(types(events)).containsOnlyOnce("TOOL_CALLS_REPAIRED");
        JsonNode announced = eventOf(events, "TOOL_CALLS_REPAIRED").path("data");
        assertThat(announced.path("repaired").asInt()).isEqualTo(2);
        assertThat(announced.path("ids_added").asInt()).isEqualTo(1);
        assertThat(announced.path("arguments_serialised").asInt()).isEqualTo(1);
        assertThat(announced.path("arguments_repaired").asInt()).isEqualTo(1);
        assertThat(announced.path("arguments_unrepairable").asInt()).isEqualTo(1);
        assertThat(announced.path("tool_results_linked").asInt()).isEqualTo(1);
        JsonNode completed = eventOf(events, "REQUEST_COMPLETED").path("data");
        assertThat(completed.path("features").path("tool_repair").path("changed").asInt()).isEqualTo(2);
    }

    // ---- MCP memory ----

    @Test
    void memoryMarkersAreCountedApartFromChatTokensPerRequestAndSession() {
        ArrayNode sent = messages(
                message("system", "You are terse. <mcp-memory source=\"prefs\">The user prefers tabs over spaces "
                        + "and Java 17 records.</mcp-memory>"),
                message("user", "Remember @memory[the build uses Maven with -o] and @recall(last failing test)."),
                message("user", "Now fix the failing test."));
        server.post("/chat/completions", body("kimi-k2", sent));
        server.post("/chat/completions", KimiServerExtension.chatBody("kimi-k2", false, ""));
        String session = activeSessionId();

        JsonNode all = json(server.get("/api/memory/stats"));
        assertThat(all.path("requests").asInt()).isEqualTo(2);
        assertThat(all.path("requests_with_memory").asInt()).isEqualTo(1);
        assertThat(all.path("markers").asInt()).isEqualTo(3);
        assertThat(all.path("memory_tokens").asInt()).isBetween(20, 60);
        assertThat(all.path("chat_tokens").asInt()).isPositive();
        double ratio = all.path("memory_tokens").asDouble()
                / (all.path("memory_tokens").asDouble() + all.path("chat_tokens").asDouble());
        assertThat(all.path("memory_ratio").asDouble()).isCloseTo(ratio, Offset.offset(0.001));

        JsonNode one = json(server.get("/api/sessions/" + session + "/memory"));
        assertThat(one.path("session_id").asText()).isEqualTo(session);
        assertThat(one.path("markers").asInt()).isEqualTo(3);
        assertThat(one.path("memory_tokens").asInt()).isEqualTo(all.path("memory_tokens").asInt());

        HttpResponse<String> unknown = server.get("/api/sessions/no-such-session/memory");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).path("error").path("code").asText()).isEqualTo("session_not_found");
    }

    // ---- figures ----

    @Test
    void aToolHeavyConversationGoesUpstreamMuchSmallerWithTheFeaturesOnAndSmallerStillOnceCompacted()
            throws Exception {
        ArrayNode conversation = ToolHeavyConversation.messages(60, 42);
        String request = body("kimi-k2", conversation);
        int clientTokens = Chats.promptTokens(KimiServerExtension.JSON.readTree(request));

        server.post("/chat/completions", request);
        JsonNode on = fake.takeRequest(Duration.ofSeconds(20)).bodyAsJson();
        HttpResponse<String> compacted = server.post("/api/sessions/" + activeSessionId() + "/compaction", "");
        assertThat(compacted.statusCode()).as(compacted.body()).isEqualTo(201);
        server.post("/chat/completions", request);
        JsonNode onCompacted = fake.takeRequest(Duration.ofSeconds(20)).bodyAsJson();
        for (String feature : List.of("tool_repair", "sanitizer", "compaction", "memory")) {
            server.put("/api/features/" + feature, "{\"enabled\":false}");
        }
        server.post("/chat/completions", request);
        JsonNode off = fake.takeRequest(Duration.ofSeconds(20)).bodyAsJson();

        int sentOn = Chats.promptTokens(on);
        int sentCompacted = Chats.promptTokens(onCompacted);
        int sentOff = Chats.promptTokens(off);
        log.info("Tool-heavy conversation (60 turns, seed 42, {} messages, {} tokens as the client sent it) sent"
                        + " upstream: features off {} tokens; on {} tokens ({} % fewer, {} messages masked); on and"
                        + " compacted {} tokens in {} messages ({} % fewer)",
                conversation.size(), clientTokens, sentOff, sentOn, percentFewer(sentOn, sentOff),
                count(on.path("messages"), "[kimi-mask "), sentCompacted, onCompacted.path("messages").size(),
                percentFewer(sentCompacted, sentOff));
        assertThat(off.path("messages")).isEqualTo(conversation);
        assertThat(sentOff).isEqualTo(clientTokens);
        assertThat(on.path("messages")).hasSize(conversation.size());
        assertThat(sentOn).isLessThan(sentOff * 8 / 10);
        assertThat(onCompacted.path("messages").size()).isLessThan(conversation.size());
        assertThat(sentCompacted).isLessThan(sentOn);
    }

    private static double percentFewer(int sent, int baseline) {
        return Math.round(1000.0 * (baseline - sent) / baseline) / 10.0;
    }

    // ---- helpers ----

    /** system, user, assistant read_file call, its (large) result, user. */
    private static ArrayNode readFileConversation(String toolOutput) {
        return messages(
                message("system", "You are a coding agent."),
                message("user", "Read src/Orders.java."),
                toolCall("call_read", "read_file", "{\"path\":\"src/Orders.java\"}"),
                toolResult("call_read", toolOutput),
                message("user", "Why is it slow?"));
    }

    private static ObjectNode assistantWithoutContent() {
        ObjectNode m = Chats.NODES.objectNode().put("role", "assistant");
        m.putNull("content");
        return m;
    }

    private String activeSessionId() {
        return json(server.get("/api/sessions/active")).path("session_id").asText();
    }

    private URI ws() {
        return server.wsUri("/ws");
    }

    private static JsonNode nextEvent(WsTestClient ws, String type) {
        return ws.next(m -> "event".equals(m.path("type").asText()) && type.equals(m.path("event_type").asText()),
                type);
    }

    private static List<String> types(JsonNode events) {
        List<String> out = new ArrayList<>();
        events.forEach(e -> out.add(e.path("event_type").asText()));
        return out;
    }

    private static JsonNode eventOf(JsonNode events, String type) {
        for (JsonNode e : events) {
            if (type.equals(e.path("event_type").asText())) {
                return e;
            }
        }
        throw new AssertionError("no " + type + " event in " + types(events));
    }

    private static int count(JsonNode messages, String prefix) {
        int n = 0;
        for (JsonNode m : messages) {
            if (m.path("content").asText("").startsWith(prefix)) {
                n++;
            }
        }
        return n;
    }
}
