package io.kimi.api;

import static io.kimi.api.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.kimi.testing.RecordedRequest;
import io.kimi.testing.Reply;
import io.kimi.testing.Usage;
import io.kimi.testing.UsageStyle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The official OpenAI SDK for Node (npm {@code openai}, pinned in {@code src/test/node/package-lock.json})
 * against a real server: {@code src/test/node/sdk-check.mjs}, installed by Maven ({@code npm ci} in
 * {@code target/node-sdk-check}, phase process-test-resources), makes a plain and a streamed chat completion.
 * Node is required: without it this test fails, it does not skip.
 */
class OpenAiSdkCompatibilityTest extends EndToEndTest {
    private static final Duration NODE_TIMEOUT = Duration.ofSeconds(60);

    @Test
    void officialSdkGetsPlainAndStreamedCompletionsAndBothAreRecordedWithTheirTokens() throws Exception {
        fake.enqueue(Reply.chatCompletion("Bonjour du proxy", 42, 5),
                Reply.streamingCompletion(List.of("Bon", "jour", " !"), new Usage(40, 3, 0), UsageStyle.OPENAI));

        JsonNode got = runSdkCheck(server.server.baseUri().toString());

        assertThat(got.path("content").asText()).isEqualTo("Bonjour du proxy");
        assertThat(got.path("usage").path("prompt_tokens").asInt()).isEqualTo(42);
        assertThat(got.path("usage").path("completion_tokens").asInt()).isEqualTo(5);
        assertThat(got.path("streamed_content").asText()).isEqualTo("Bonjour !");
        assertThat(got.path("stream_finish_reason").asText()).isEqualTo("stop");
        assertThat(got.path("chunks").asInt()).isEqualTo(3);
        assertThat(got.path("chunk_had_usage").asBoolean())
                .as("a chunk carried usage, but the SDK did not ask for it (got: %s)", got).isFalse();

        RecordedRequest plain = fake.takeRequest(Duration.ofSeconds(5));
        RecordedRequest streamed = fake.takeRequest(Duration.ofSeconds(5));
        assertThat(plain.bodyAsJson().path("model").asText()).isEqualTo("kimi-k2-0905-preview");
        assertThat(streamed.bodyAsJson().path("stream_options").path("include_usage").asBoolean()).isTrue();

        JsonNode active = json(server.get("/api/sessions/active"));
        assertThat(active.path("totals").path("requests").asInt()).isEqualTo(2);
        assertThat(active.path("totals").path("prompt_tokens").asLong()).isEqualTo(82);
        assertThat(active.path("totals").path("completion_tokens").asLong()).isEqualTo(8);
        assertThat(active.path("recent_requests")).allSatisfy(request -> {
            assertThat(request.path("status").asText()).isEqualTo("success");
            assertThat(request.path("usage_source").asText()).isEqualTo("reported");
        });
    }

    /** Runs sdk-check.mjs with the machine's node and returns the JSON line it printed. */
    private JsonNode runSdkCheck(String baseUri) throws IOException, InterruptedException {
        Path installed = sdkCheckDir();
        Path stdout = dir.resolve("sdk-check.out");
        Path stderr = dir.resolve("sdk-check.err");
        ProcessBuilder builder = new ProcessBuilder("node", "sdk-check.mjs", baseUri).directory(installed.toFile())
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        Process node;
        try {
            node = builder.start();
        } catch (IOException e) {
            throw new AssertionError("Could not start 'node' (Node.js 20+ must be on the PATH for this test): "
                    + e.getMessage(), e);
        }
        boolean exited = node.waitFor(NODE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (!exited) {
            node.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        String out = Files.readString(stdout, StandardCharsets.UTF_8);
        String err = Files.readString(stderr, StandardCharsets.UTF_8);
        if (!exited) {
            fail("node sdk-check.mjs did not finish within %s%nstdout: %s%nstderr: %s", NODE_TIMEOUT, out, err);
        }
        if (node.exitValue() != 0) {
            fail("node sdk-check.mjs exited with %d%nstdout: %s%nstderr: %s", node.exitValue(), out, err);
        }
        String line = out.strip();
        try {
            return TestServer.JSON.readTree(line);
        } catch (IOException e) {
            throw new AssertionError("node sdk-check.mjs printed no JSON line\nstdout: " + out + "\nstderr: " + err, e);
        }
    }

    /** Where Maven copied src/test/node and ran npm ci. */
    private static Path sdkCheckDir() {
        Path module = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
        Path installed = module.resolve("target/node-sdk-check");
        if (!Files.isRegularFile(installed.resolve("node_modules/openai/package.json"))
                || !Files.isRegularFile(installed.resolve("sdk-check.mjs"))) {
            fail("The OpenAI SDK is not installed in %s: Maven installs it (npm ci) during process-test-resources; "
                    + "run `mvn -pl kimi-api process-test-resources` (needs Node.js and npm) before running "
                    + "this test outside Maven.", installed);
        }
        return installed;
    }
}
