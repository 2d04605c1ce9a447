package io.kimi.api;

import static io.kimi.api.testing.KimiServerExtension.chatBody;
import static io.kimi.api.testing.KimiServerExtension.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.api.testing.KimiServerExtension;
import io.kimi.testing.Reply;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a web page of another site can do to a server on the loopback default: DNS rebinding (a foreign name
 * that resolves to 127.0.0.1, so the browser sends that name as {@code Host}) and cross-site requests (forms,
 * {@code fetch} with {@code text/plain} bodies, which need no CORS preflight). SDKs, curl and IDE agents send no
 * {@code Origin} and JSON bodies; they and the dashboard page itself keep working.
 */
class CrossSiteEndToEndTest extends EndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String EVIL = "http://evil.example";

    private RawClient.Response exchange(String head, String body) {
        try (RawClient c = RawClient.connect(server.port())) {
            boolean hasBody = !body.isEmpty() || head.startsWith("P"); // POST, PUT, PATCH: as browsers send them
            String request = head + (hasBody ? "Content-Length: " + body.length() + "\r\n" : "")
                    + "Connection: close\r\n\r\n" + body;
            return c.send(request).awaitResponse(WAIT);
        }
    }

    private String own() {
        return "127.0.0.1:" + server.port();
    }

    private static String code(RawClient.Response r) throws Exception {
        return KimiServerExtension.JSON.readTree(r.body()).path("error").path("code").asText();
    }

    @Test
    void aForeignHostIsRefusedSoDnsRebindingCannotReadExportsOrMasks() throws Exception {
        fake.enqueue(Reply.chatCompletion("secret answer", 5, 2));
        server.post("/v1/chat/completions", chatBody("kimi-k2", false, ""));

        for (String path : List.of("/api/export/json", "/api/export/csv", "/api/mask", "/api/sessions", "/")) {
            RawClient.Response r = exchange("GET " + path + " HTTP/1.1\r\nHost: rebind.evil.example:"
                    + server.port() + "\r\n", "");

            assertThat(r.status()).as(path).isEqualTo(403);
            assertThat(code(r)).as(path).isEqualTo("host_not_allowed");
            assertThat(r.body()).as(path).doesNotContain("secret answer").contains("allowed_hosts");
        }
    }

    @Test
    void aForeignHostCannotOpenTheWebSocket() throws Exception {
        RawClient.Response r = exchange("GET /ws HTTP/1.1\r\nHost: rebind.evil.example\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n", "");

        assertThat(r.status()).isEqualTo(403);
        assertThat(code(r)).isEqualTo("host_not_allowed");
    }

    @Test
    void loopbackNamesAndAddressesOnAnyPortAreServed() {
        for (String host : List.of(own(), "localhost:" + server.port(), "LOCALHOST", "localhost.:1",
                "dashboard.localhost:8080", "127.0.0.1", "127.1.2.3:99", "[::1]:" + server.port(), "[::1]")) {
            RawClient.Response r = exchange("GET /health HTTP/1.1\r\nHost: " + host + "\r\n", "");

            assertThat(r.status()).as(host).isEqualTo(200);
        }
    }

    @Test
    void configuredHostsAreServedAndAStarServesAnyHost() {
        server.restart(s -> s.serverToml("allowed_hosts = [\"dash.example.com\"]"));
        assertThat(exchange("GET /health HTTP/1.1\r\nHost: Dash.Example.com:8766\r\n", "").status()).isEqualTo(200);
        assertThat(exchange("GET /health HTTP/1.1\r\nHost: other.example.com\r\n", "").status()).isEqualTo(403);

        server.restart(s -> s.serverToml("allowed_hosts = [\"*\"]"));
        assertThat(exchange("GET /health HTTP/1.1\r\nHost: anything.example\r\n", "").status()).isEqualTo(200);
    }

    @Test
    void aPageOfAnotherSiteCannotSpendTheProviderBudget() throws Exception {
        fake.defaultReply(Reply.chatCompletion("spent", 5, 2));

        RawClient.Response r = exchange("POST /v1/chat/completions HTTP/1.1\r\nHost: " + own() + "\r\nOrigin: "
                + EVIL + "\r\nContent-Type: text/plain;charset=UTF-8\r\n", chatBody("kimi-k2", false, ""));

        assertThat(r.status()).isEqualTo(403);
        assertThat(code(r)).isEqualTo("origin_not_allowed");
        assertThat(r.body()).contains("allowed_origins");
        assertThat(fake.requests()).isEmpty();
    }

    @Test
    void aForeignOriginCannotChangeAnythingWhateverTheMethod() throws Exception {
        String id = json(server.post("/api/sessions", "{\"name\":\"mine\"}")).path("session_id").asText();
        String origin = "\r\nOrigin: " + EVIL + "\r\n";
        String features = server.get("/api/features").body();

        List<RawClient.Response> refused = List.of(
                exchange("POST /api/sessions HTTP/1.1\r\nHost: " + own() + origin
                        + "Content-Type: application/json\r\n", "{\"name\":\"theirs\"}"),
                exchange("DELETE /api/sessions/" + id + " HTTP/1.1\r\nHost: " + own() + origin, ""),
                exchange("PUT /api/features/sanitizer HTTP/1.1\r\nHost: " + own() + origin
                        + "Content-Type: application/json\r\n", "{\"enabled\":false}"),
                exchange("POST /api/events HTTP/1.1\r\nHost: " + own() + origin
                        + "Content-Type: application/json\r\n", "{\"session_id\":\"x\",\"event_type\":\"ERROR\"}"),
                exchange("PATCH /api/sessions/" + id + " HTTP/1.1\r\nHost: " + own() + "\r\nOrigin: null\r\n", ""));

        assertThat(refused).allSatisfy(r -> assertThat(r.status()).isEqualTo(403));
        assertThat(server.get("/api/sessions/" + id).statusCode()).isEqualTo(200);
        assertThat(json(server.get("/api/sessions")).path("total").asInt()).isEqualTo(1);
        assertThat(server.get("/api/features").body()).isEqualTo(features);
    }

    @Test
    void aNonJsonBodyIsRefusedOnJsonRoutesEvenWithoutAnOrigin() throws Exception {
        for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; b=x")) {
            RawClient.Response r = exchange("POST /api/events HTTP/1.1\r\nHost: " + own() + "\r\nContent-Type: "
                    + type + "\r\n", "{\"session_id\":\"csrf\",\"event_type\":\"ERROR\"}");

            assertThat(r.status()).as(type).isEqualTo(415);
            assertThat(code(r)).as(type).isEqualTo("unsupported_media_type");
        }
        RawClient.Response untyped = exchange("POST /v1/chat/completions HTTP/1.1\r\nHost: " + own() + "\r\n",
                chatBody("kimi-k2", false, ""));

        assertThat(untyped.status()).isEqualTo(415);
        assertThat(server.get("/api/sessions/csrf").statusCode()).isEqualTo(404);
        assertThat(fake.requests()).isEmpty();
    }

    @Test
    void sdkAndCurlStyleRequestsWithoutAnOriginKeepWorking() {
        fake.enqueue(Reply.chatCompletion("hello", 5, 2));

        assertThat(server.send(HttpRequest.newBuilder(server.uri("/v1/chat/completions"))
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(chatBody("kimi-k2", false, "")))).statusCode())
                .isEqualTo(200);
        assertThat(server.post("/api/events", "{\"session_id\":\"loop-1\",\"event_type\":\"SESSION_STARTED\"}")
                .statusCode()).isEqualTo(200);
    }

    @Test
    void theDashboardPageItselfMayChangeThingsWithOrWithoutABody() throws Exception {
        String origin = "\r\nOrigin: http://" + own() + "\r\n";
        RawClient.Response created = exchange("POST /api/sessions HTTP/1.1\r\nHost: " + own() + origin
                + "Content-Type: application/json\r\n", "{\"name\":\"from the page\"}");
        assertThat(created.status()).isEqualTo(201);
        String id = KimiServerExtension.JSON.readTree(created.body()).path("session_id").asText();
        json(server.post("/api/sessions", "{\"name\":\"other\"}"));

        // The page's bodyless POSTs (activate, compaction) send no Content-Type.
        RawClient.Response activated = exchange("POST /api/sessions/" + id + "/activate HTTP/1.1\r\nHost: "
                + own() + origin, "");
        RawClient.Response viaLocalhost = exchange("GET /health HTTP/1.1\r\nHost: localhost:"
                + server.port() + "\r\nOrigin: http://localhost:" + server.port() + "\r\n", "");

        assertThat(activated.status()).isEqualTo(200);
        assertThat(viaLocalhost.status()).isEqualTo(200);
    }

    @Test
    void readsFromAForeignOriginAreAnsweredWithoutCorsHeadersSoTheBrowserHidesThem() {
        RawClient.Response r = exchange("GET /health HTTP/1.1\r\nHost: " + own() + "\r\nOrigin: " + EVIL + "\r\n",
                "");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers()).doesNotContainKey("access-control-allow-origin");
    }
}
