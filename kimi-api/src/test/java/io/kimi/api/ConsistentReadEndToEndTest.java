package io.kimi.api;

import static io.kimi.api.testing.KimiServerExtension.chatBody;
import static io.kimi.api.testing.KimiServerExtension.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.testing.Reply;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The "consistent read" route decorator through a real server: with the SQLite writer held (so a proxied
 * request's records wait), routes that read nothing recorded answer at once, a metrics scrape waits only briefly,
 * and routes declared consistent answer once the writer moves, with the request their client already received.
 */
class ConsistentReadEndToEndTest extends EndToEndTest {
    private static final long GUARD_SECONDS = 60;

    private HeldWriter writer;

    @AfterEach
    void stop() {
        if (writer != null) {
            writer.release();
        }
    }

    @Test
    void consistentRoutesSeeWhatClientsReceivedWhileOthersDoNotWait() throws Exception {
        fake.defaultReply(Reply.chatCompletion("ok", 100, 10));
        writer = HeldWriter.hold(server.server(), Duration.ofSeconds(GUARD_SECONDS));

        HttpResponse<String> answered = server.post("/chat/completions", chatBody("kimi-k2", false, ""));
        assertThat(answered.statusCode()).isEqualTo(200);

        assertThat(server.get("/api/providers").statusCode()).isEqualTo(200);
        assertThat(server.get("/api/models").statusCode()).isEqualTo(200);
        CompletableFuture<HttpResponse<String>> sessions = getAsync("/api/sessions");
        CompletableFuture<HttpResponse<String>> export = getAsync("/api/export/json");
        CompletableFuture<HttpResponse<String>> stats = getAsync("/api/metrics");
        // A scrape gives up waiting after a moment and shows what is recorded so far.
        assertThat(server.get("/metrics").statusCode()).isEqualTo(200);
        writer.release();

        assertThat(json(sessions.get(GUARD_SECONDS, TimeUnit.SECONDS)).path("total").asInt()).isEqualTo(1);
        assertThat(json(export.get(GUARD_SECONDS, TimeUnit.SECONDS)).path("requests")).hasSize(1);
        assertThat(json(stats.get(GUARD_SECONDS, TimeUnit.SECONDS)).path("proxy").path("requests").asInt())
                .isEqualTo(1);
    }

    private CompletableFuture<HttpResponse<String>> getAsync(String path) {
        return server.http().sendAsync(HttpRequest.newBuilder(server.uri(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
