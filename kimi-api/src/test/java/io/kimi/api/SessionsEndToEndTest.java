package io.kimi.api;

import static io.kimi.api.TestServer.chatBody;
import static io.kimi.api.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.kimi.config.ConfigException;
import io.kimi.testing.Reply;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sessions, export, health and restart through a real server and SQLite file. */
class SessionsEndToEndTest extends EndToEndTest {
    @Override
    void configureFakes() {
        fake.defaultReply(Reply.chatCompletion("ok", 100, 10));
        other.defaultReply(Reply.chatCompletion("ok", 50, 5));
    }

    @Test
    void firstRequestCreatesTheActiveSessionAndLaterOnesAddUp() {
        assertThat(server.get("/api/sessions/active").statusCode()).isEqualTo(404);

        server.post("/chat/completions", chatBody("kimi-k2", false, ""));
        server.post("/chat/completions", chatBody("kimi-k2", false, ""));

        JsonNode active = json(server.get("/api/sessions/active"));
        assertThat(active.path("kind").asText()).isEqualTo("proxy");
        assertThat(active.path("model").asText()).isEqualTo("kimi-k2");
        assertThat(active.path("context_window").asInt()).isEqualTo(262144);
        assertThat(active.path("totals").path("requests").asInt()).isEqualTo(2);
        assertThat(active.path("totals").path("prompt_tokens").asInt()).isEqualTo(200);
        assertThat(active.path("totals").path("total_tokens").asInt()).isEqualTo(220);
        assertThat(active.path("context").path("tokens").asInt()).isEqualTo(110);
        assertThat(active.path("recent_requests")).hasSize(2);
        assertThat(json(server.get("/api/sessions")).path("total").asInt()).isEqualTo(1);
    }

    @Test
    void switchingProviderStartsANewActiveSession() {
        server.post("/chat/completions", chatBody("kimi-k2", false, ""));
        String first = json(server.get("/api/sessions/active")).path("session_id").asText();

        server.post("/chat/completions", chatBody("other-model", false, ""));

        JsonNode active = json(server.get("/api/sessions/active"));
        assertThat(active.path("session_id").asText()).isNotEqualTo(first);
        assertThat(active.path("provider").asText()).isEqualTo("other");
        JsonNode list = json(server.get("/api/sessions?limit=10&offset=0&kind=proxy"));
        assertThat(list.path("total").asInt()).isEqualTo(2);
        assertThat(list.path("limit").asInt()).isEqualTo(10);
        assertThat(json(server.get("/api/sessions/" + first)).path("active").asBoolean()).isFalse();
    }

    @Test
    void sessionHeaderCountsRequestsInTheNamedSession() {
        server.post("/chat/completions", chatBody("kimi-k2", false, ""));
        String active = json(server.get("/api/sessions/active")).path("session_id").asText();

        server.send(HttpRequest.newBuilder(server.uri("/chat/completions")).header("X-Session-Id", "agent-7")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(chatBody("kimi-k2", false, ""))));

        JsonNode named = json(server.get("/api/sessions/agent-7"));
        assertThat(named.path("totals").path("requests").asInt()).isEqualTo(1);
        assertThat(json(server.get("/api/sessions/active")).path("session_id").asText()).isEqualTo(active);
        HttpResponse<String> bad = server.send(HttpRequest.newBuilder(server.uri("/chat/completions"))
                .header("X-Session-Id", "no spaces allowed")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(chatBody("kimi-k2", false, ""))));
        assertThat(bad.statusCode()).isEqualTo(400);
    }

    @Test
    void sessionsCanBeCreatedActivatedAndDeleted() {
        HttpResponse<String> created = server.post("/api/sessions", "{\"name\":\"Refactoring\",\"model\":\"tiny\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        String id = json(created).path("session_id").asText();
        assertThat(json(created).path("name").asText()).isEqualTo("Refactoring");
        assertThat(json(created).path("context_window").asInt()).isEqualTo(60);
        String second = json(server.post("/api/sessions", "")).path("session_id").asText();
        assertThat(json(server.get("/api/sessions/active")).path("session_id").asText()).isEqualTo(second);

        HttpResponse<String> activated = server.post("/api/sessions/" + id + "/activate", "");
        assertThat(activated.statusCode()).isEqualTo(200);
        assertThat(json(server.get("/api/sessions/active")).path("session_id").asText()).isEqualTo(id);

        assertThat(server.delete("/api/sessions/" + id).statusCode()).isEqualTo(200);
        assertThat(server.get("/api/sessions/" + id).statusCode()).isEqualTo(404);
        assertThat(server.get("/api/sessions/active").statusCode()).isEqualTo(404);
        assertThat(json(server.get("/api/sessions")).path("total").asInt()).isEqualTo(1);
    }

    @Test
    void unknownSessionsAndBadParametersGetClearJsonErrors() {
        HttpResponse<String> missing = server.get("/api/sessions/does-not-exist");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(json(missing).path("error").path("code").asText()).isEqualTo("session_not_found");
        assertThat(server.delete("/api/sessions/nope").statusCode()).isEqualTo(404);
        assertThat(server.post("/api/sessions/nope/activate", "").statusCode()).isEqualTo(404);

        HttpResponse<String> badLimit = server.get("/api/sessions?limit=abc");
        assertThat(badLimit.statusCode()).isEqualTo(400);
        assertThat(json(badLimit).path("error").path("message").asText()).contains("limit");
        assertThat(server.get("/api/sessions?kind=weird").statusCode()).isEqualTo(400);
        assertThat(server.post("/api/sessions", "{\"model\":\"nope\"}").statusCode()).isEqualTo(400);
        assertThat(server.post("/api/sessions", "not json").statusCode()).isEqualTo(400);
        assertThat(server.get("/api/nothing-here").statusCode()).isEqualTo(404);
        assertThat(server.delete("/api/providers").statusCode()).isEqualTo(405);
    }

    @Test
    void exportsHoldEveryRequestOfTheSession() {
        server.post("/chat/completions", chatBody("kimi-k2", false, ""));
        server.post("/chat/completions", chatBody("kimi-k2", false, ""));
        String id = json(server.get("/api/sessions/active")).path("session_id").asText();

        HttpResponse<String> csv = server.get("/api/export/csv");
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).contains("text/csv"));
        assertThat(csv.headers().firstValue("content-disposition")).hasValueSatisfying(
                v -> assertThat(v).contains("attachment").contains(id));
        String[] lines = csv.body().split("\r\n");
        assertThat(lines).hasSize(3);
        assertThat(lines[0]).startsWith("\"request_id\",\"session_id\",\"timestamp\"");
        assertThat(lines[1]).contains(id).contains(",100,10,110,");

        JsonNode exported = json(server.get("/api/export/json?session_id=" + id));
        assertThat(exported.path("session").path("session_id").asText()).isEqualTo(id);
        assertThat(exported.path("requests")).hasSize(2);
        assertThat(exported.path("requests").get(0).path("prompt_tokens").asInt()).isEqualTo(100);
        assertThat(server.get("/api/export/xml").statusCode()).isEqualTo(404);
        assertThat(server.get("/api/export/csv?session_id=unknown").statusCode()).isEqualTo(404);
    }

    @Test
    void providersNeverShowKeysAndHealthIsInFrench() {
        String providers = server.get("/api/providers").body();
        assertThat(providers).doesNotContain(TestServer.API_KEY).contains("\"has_api_key\":true")
                .contains("\"api_key_env\":\"FAKE_API_KEY\"");
        JsonNode nokey = null;
        for (JsonNode p : json(server.get("/api/providers")).path("providers")) {
            if (p.path("key").asText().equals("nokey")) {
                nokey = p;
            }
        }
        assertThat(nokey).isNotNull();
        assertThat(nokey.path("has_api_key").asBoolean()).isFalse();
        assertThat(json(server.get("/api/models")).path("models")).hasSize(4);

        JsonNode health = json(server.get("/health"));
        assertThat(health.path("status").asText()).isEqualTo("opérationnel");
        assertThat(health.path("database").asText()).isEqualTo("ok");
    }

    @Test
    void restartKeepsSessionsTotalsAndTheActiveSession() {
        server.post("/chat/completions", chatBody("kimi-k2", false, ""));
        String id = json(server.get("/api/sessions/active")).path("session_id").asText();
        server.close();

        server = TestServer.start(dir, fake.baseUrl(), other.baseUrl(), "");
        JsonNode active = json(server.get("/api/sessions/active"));
        assertThat(active.path("session_id").asText()).isEqualTo(id);
        assertThat(active.path("totals").path("prompt_tokens").asInt()).isEqualTo(100);

        server.post("/chat/completions", chatBody("kimi-k2", false, ""));
        assertThat(json(server.get("/api/sessions/active")).path("totals").path("requests").asInt()).isEqualTo(2);
    }

    @Test
    void nonLoopbackBindWithoutATokenIsRefused(@TempDir Path d2) {
        assertThatThrownBy(() -> TestServer.start(d2, fake.baseUrl(), other.baseUrl(), "host = \"0.0.0.0\""))
                .isInstanceOf(ConfigException.class).hasMessageContaining("KIMI_AUTH_TOKEN");
    }

    @Test
    void aConfiguredTokenIsRequiredOnEveryRoute(@TempDir Path d2) {
        server.close();
        server = TestServer.start(d2, fake.baseUrl(), other.baseUrl(), "auth_token = \"${FAKE_API_KEY}\"");

        assertThat(server.get("/api/sessions").statusCode()).isEqualTo(401);
        assertThat(server.post("/chat/completions", chatBody("kimi-k2", false, "")).statusCode()).isEqualTo(401);
        HttpResponse<String> ok = server.send(HttpRequest.newBuilder(server.uri("/api/sessions"))
                .header("Authorization", "Bearer " + TestServer.API_KEY).GET());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(fake.requests()).isEmpty();
    }
}
