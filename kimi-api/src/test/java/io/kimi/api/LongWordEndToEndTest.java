package io.kimi.api;

import static io.kimi.api.testing.KimiServerExtension.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kimi.api.testing.KimiServerExtension;
import io.kimi.testing.FakeUpstream;
import io.kimi.testing.PrometheusText;
import io.kimi.testing.Reply;
import io.kimi.testing.Usage;
import io.kimi.testing.UsageStyle;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 13, item 4: one long unbroken word. jtokkit encodes a piece of text it cannot split in memory and time
 * that grow faster than its length, so a 4 MB one-word prompt left its worker without an answer and a 4-8 MB
 * one-word reply killed the accounting thread and its record. Runs in its own surefire execution with
 * {@code -Xmx256m} (kimi-api's pom), the heap a small deployment gives the server: before the fix the prompt got
 * no answer (OutOfMemoryError on the blocking pool) and the replies were relayed but never recorded.
 *
 * <p>A real server on a SQLite file, the fake provider on loopback; the model {@code big} has a window large
 * enough for the prompt, so it is sent rather than refused with 413.
 */
class LongWordEndToEndTest {
    /** 4 MB: a prompt well under the default 10 MiB body limit. */
    private static final int PROMPT_CHARS = 4 * 1024 * 1024;
    /** 8 MiB: a reply past the default {@code max_accounted_reply_bytes} of 8 MiB once framed in JSON. */
    private static final int REPLY_CHARS = 8 * 1024 * 1024;
    /** Deltas of a streamed reply, 8 KiB each, as a provider streams a long token run. */
    private static final int DELTA_CHARS = 8 * 1024;
    /** How long a client waits for the answer: slow under a loaded build machine, never "no answer". */
    private static final Duration ANSWER_WAIT = Duration.ofMinutes(2);

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private FakeUpstream fake;
    private FakeUpstream other;
    @RegisterExtension
    final KimiServerExtension server = new KimiServerExtension().manualStart();

    private void start(String serverToml) {
        fake = server.fake();
        other = server.other();
        server.restart(s -> s.serverToml(serverToml)
                .sectionsToml("[models.big]\nprovider = \"fake\"\ncontext_window = 100000000\n"));
    }

    @AfterEach
    void stop() {
        if (server != null) {
        }
        if (fake != null) {
        }
        if (other != null) {
        }
    }

    @Test
    void aFourMegabyteOneWordPromptIsAnsweredAndRecorded() throws Exception {
        start("");
        String word = word(PROMPT_CHARS, 1);

        HttpResponse<String> response = post(chat(word, false));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).path("choices").get(0).path("message").path("content").asText())
                .isEqualTo("Hello from the fake upstream.");
        JsonNode sent = fake.takeRequest(Duration.ofSeconds(10)).bodyAsJson();
        assertThat(sent.path("messages").get(0).path("content").asText()).isEqualTo(word);
        JsonNode record = recordedRequest();
        assertThat(record.path("status").asText()).isEqualTo("success");
        assertThat(record.path("usage_source").asText()).isEqualTo("reported");
        // Random lower-case letters encode to about one token per two characters in cl100k_base.
        assertThat(record.path("estimated_prompt_tokens").asLong()).isBetween(PROMPT_CHARS / 4L, PROMPT_CHARS * 1L);
        assertThat(record.path("accounting_error").isNull()).isTrue();
    }

    @Test
    void anEightMegabyteOneWordReplyIsRelayedIntactAndRecorded() throws Exception {
        start("");
        String word = word(REPLY_CHARS, 2);
        fake.enqueue(Reply.chatCompletion(word, new Usage(12, 4_000_000, 0)));

        HttpResponse<String> response = post(chat("Say one long word.", false));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).path("choices").get(0).path("message").path("content").asText()).isEqualTo(word);
        JsonNode record = recordedRequest();
        assertThat(record.path("status").asText()).isEqualTo("success");
        assertThat(record.path("completion_tokens").asLong()).isEqualTo(4_000_000);
        assertThat(record.path("usage_source").asText()).isEqualTo("reported");
        assertThat(record.path("estimated_completion_tokens").asLong()).isBetween(REPLY_CHARS / 4L, REPLY_CHARS * 1L);
        assertThat(record.path("accounting_error").isNull()).isTrue();
    }

    @Test
    void anEightMegabyteOneWordStreamIsRelayedIntactAndRecorded() throws Exception {
        start("");
        String word = word(REPLY_CHARS, 3);
        fake.enqueue(Reply.streamingCompletion(deltas(word), null, UsageStyle.NONE));

        HttpResponse<String> response = post(chat("Say one long word, streamed.", true));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(streamedContent(response.body())).isEqualTo(word);
        JsonNode record = recordedRequest();
        assertThat(record.path("status").asText()).isEqualTo("success");
        assertThat(record.path("stream").asBoolean()).isTrue();
        assertThat(record.path("usage_source").asText()).isEqualTo("estimated");
        assertThat(record.path("completion_tokens").asLong()).isBetween(REPLY_CHARS / 4L, REPLY_CHARS * 1L);
        assertThat(record.path("accounting_error").isNull()).isTrue();
    }

    @Test
    void pastMaxAccountedReplyBytesAReplyIsStillRelayedWholeAndTheTokensOfTheRestEstimated() throws Exception {
        start("max_accounted_reply_bytes = 1048576");
        String word = word(REPLY_CHARS, 4);
        fake.enqueue(Reply.chatCompletion(word, new Usage(12, 4_000_000, 0)));
        fake.enqueue(Reply.streamingCompletion(deltas(word), null, UsageStyle.NONE));

        HttpResponse<String> plain = post(chat("Say one long word.", false));
        HttpResponse<String> streamed = post(chat("Say it again, streamed.", true));

        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(json(plain).path("choices").get(0).path("message").path("content").asText()).isEqualTo(word);
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamedContent(streamed.body())).isEqualTo(word);
        JsonNode records = recordedRequests(2);
        for (JsonNode record : records) {
            String which = record.path("stream").asBoolean() ? "streamed" : "plain";
            assertThat(record.path("status").asText()).as(which).isEqualTo("success");
            assertThat(record.path("estimated_reply_bytes").asLong()).as(which)
                    .isBetween(REPLY_CHARS - (1L << 20), REPLY_CHARS + (1L << 20));
            // The first MiB counted at about 0.54 tokens a letter; the other 7 MiB at the same rate.
            assertThat(record.path("estimated_completion_tokens").asLong()).as(which)
                    .isBetween((long) (REPLY_CHARS * 0.45), (long) (REPLY_CHARS * 0.65));
            assertThat(record.path("accounting_error").isNull()).as(which).isTrue();
        }
        PrometheusText metrics = PrometheusText.parse(server.get("/metrics").body());
        assertThat(metrics.value("kimi_accounting_errors_total", Map.of("record", "flagged"))).isZero();
        assertThat(metrics.value("kimi_accounting_errors_total", Map.of("record", "lost"))).isZero();
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    /** {@code length} random lower-case letters: one word, no whitespace, no piece jtokkit's regex can split. */
    static String word(int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] letters = new byte[length];
        for (int i = 0; i < length; i++) {
            letters[i] = (byte) ('a' + random.nextInt(26));
        }
        return new String(letters, StandardCharsets.US_ASCII);
    }

    private static List<String> deltas(String word) {
        List<String> deltas = new ArrayList<>(word.length() / DELTA_CHARS + 1);
        for (int i = 0; i < word.length(); i += DELTA_CHARS) {
            deltas.add(word.substring(i, Math.min(word.length(), i + DELTA_CHARS)));
        }
        return deltas;
    }

    private static String chat(String content, boolean stream) {
        // The word has no character JSON needs to escape.
        return "{\"model\":\"big\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\""
                + content + "\"}]}";
    }

    private HttpResponse<String> post(String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(server.uri("/v1/chat/completions")).timeout(ANSWER_WAIT)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** The concatenated content deltas of an SSE reply. */
    private static String streamedContent(String sse) throws IOException {
        StringBuilder content = new StringBuilder(sse.length());
        for (String event : sse.split("\n\n")) {
            if (!event.startsWith("data: ") || event.equals("data: [DONE]")) {
                continue;
            }
            JsonNode chunk = KimiServerExtension.JSON.readTree(event.substring("data: ".length()));
            for (JsonNode choice : chunk.path("choices")) {
                content.append(choice.path("delta").path("content").asText(""));
            }
        }
        return content.toString();
    }

    /**
     * The record of the only request, once it is stored. Counting a long word takes a while on a loaded machine,
     * so this waits on the record itself rather than on one read's catch-up.
     */
    private JsonNode recordedRequest() {
        return recordedRequests(1).get(0);
    }

    /** The records of the active session, once there are {@code count} of them. */
    private JsonNode recordedRequests(int count) {
        AtomicReference<JsonNode> found = new AtomicReference<>();
        await().atMost(ANSWER_WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            HttpResponse<String> active = server.get("/api/sessions/active");
            assertThat(active.statusCode()).isEqualTo(200);
            JsonNode requests = json(active).path("recent_requests");
            assertThat(requests.size()).isEqualTo(count);
            found.set(requests);
        });
        return found.get();
    }
}
