package io.kimi.services.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.proxy.OpenAiError;
import io.kimi.proxy.ProxyException;
import io.kimi.proxy.Route;
import io.kimi.proxy.UpstreamRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.io.IOException;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fuzzes the preparation of a client's chat completion ({@link ChatCompletions#prepare}: validation, routing,
 * prompt count, session choice, the context features and the rewrite for the provider) with request bodies.
 * Oracle: it either refuses with a {@link ProxyException} carrying a client error (400, 404, 413) and a
 * message, or gives a body for the provider that is one JSON object naming the routed upstream model, with a
 * non-empty {@code messages} array, asking for the usage chunk whenever it will strip it, and a prompt count
 * within the model's window; never another exception. Corpus:
 * {@code src/test/resources/io/kimi/services/internal/ChatCompletionsFuzzTestInputs/}.
 */
class ChatCompletionsFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final ServicesRig rig = new ServicesRig();

    @FuzzTest(maxDuration = "3m")
    void preparesAValidUpstreamBodyOrRefusesWithAClientError(byte[] body) throws IOException {
        PreparedRequest prepared;
        try {
            prepared = rig.completions().prepare(body, new DefaultHttpHeaders(), System.nanoTime());
        } catch (ProxyException e) {
            OpenAiError error = e.error();
            assertThat(error.httpStatus()).as("refusal %s", error).isIn(400, 404, 413);
            assertThat(error.message()).isNotBlank();
            return;
        }
        Route route = rig.router().resolve(JSON.readTree(body).path("model").asText());
        UpstreamRequest upstream = prepared.request();
        JsonNode sent = JSON.readTree(upstream.body());
        assertThat(sent.isObject()).as("body sent upstream: %s", sent).isTrue();
        assertThat(sent.path("model").asText()).isEqualTo(route.model().upstreamModel());
        assertThat(sent.path("messages").isArray() && !sent.path("messages").isEmpty())
                .as("messages sent upstream: %s", sent).isTrue();
        if (upstream.stripUsageChunk()) {
            assertThat(upstream.stream()).isTrue();
            assertThat(sent.path("stream_options").path("include_usage").asBoolean(false)).isTrue();
        }
        assertThat(prepared.promptEstimate()).isBetween(0, route.model().contextWindow());
        assertThat(prepared.sessionId()).isNotBlank();
    }
}
