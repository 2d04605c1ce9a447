package io.kimi.proxy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OpenAiErrorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void writesOpenAisErrorShape() throws Exception {
        OpenAiError error = new OpenAiError(400, "Bad model", "invalid_request_error", "model_not_found", "model",
                null);

        assertThat(new String(error.toJsonBytes(), UTF_8)).isEqualTo(
                "{\"error\":{\"message\":\"Bad model\",\"type\":\"invalid_request_error\",\"param\":\"model\","
                        + "\"code\":\"model_not_found\"}}");
    }

    @Test
    void writesNullParamAndCodeAsExplicitNulls() throws Exception {
        OpenAiError error = new OpenAiError(502, "m", "upstream_error", null, null, null);

        JsonNode body = JSON.readTree(error.toJsonBytes());

        assertThat(body.size()).isEqualTo(1);
        JsonNode inner = body.get("error");
        assertThat(inner.size()).isEqualTo(4);
        List<String> names = new ArrayList<>();
        inner.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactly("message", "type", "param", "code");
        assertThat(inner.has("param")).isTrue();
        assertThat(inner.get("param").isNull()).isTrue();
        assertThat(inner.has("code")).isTrue();
        assertThat(inner.get("code").isNull()).isTrue();
        assertThat(new String(error.toJsonBytes(), UTF_8)).contains("\"param\":null").contains("\"code\":null");
    }

    @Test
    void escapesSpecialCharacters() throws Exception {
        String message = "quote \" backslash \\ newline \n tab \t cr \r nul \u0000 bell \u0007 </script> é 日本 🎉";
        OpenAiError error = new OpenAiError(400, message, "type\"x", "code\\y", "p\nq", null);

        byte[] bytes = error.toJsonBytes();
        String raw = new String(bytes, UTF_8);
        JsonNode inner = JSON.readTree(bytes).get("error");

        assertThat(inner.get("message").asText()).isEqualTo(message);
        assertThat(inner.get("type").asText()).isEqualTo("type\"x");
        assertThat(inner.get("code").asText()).isEqualTo("code\\y");
        assertThat(inner.get("param").asText()).isEqualTo("p\nq");
        assertThat(raw).doesNotContain("\n").doesNotContain("\r").doesNotContain("\t").doesNotContain("\u0000")
                .contains("\\\"").contains("\\\\").contains("\\n");
    }

    @Test
    void theBodyIsUtf8() {
        OpenAiError error = OpenAiError.of(400, "t", "c", "é");

        assertThat(error.toJsonBytes()).containsSequence(new byte[] {(byte) 0xC3, (byte) 0xA9});
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 404, 429, 499, 500, 502, 599})
    void acceptsErrorStatuses(int status) {
        assertThat(OpenAiError.of(status, "t", "c", "m").httpStatus()).isEqualTo(status);
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 100, 200, 204, 302, 399, 600, 999})
    void rejectsAStatusOutside400To599(int status) {
        assertThatIllegalArgumentException().isThrownBy(() -> OpenAiError.of(status, "t", "c", "m"))
                .withMessage("httpStatus: " + status + " (expected: 400-599)");
    }

    @Test
    void requiresAMessageAndAType() {
        assertThatNullPointerException().isThrownBy(() -> new OpenAiError(400, null, "t", null, null, null))
                .withMessage("message");
        assertThatNullPointerException().isThrownBy(() -> new OpenAiError(400, "m", null, null, null, null))
                .withMessage("type");
    }

    @Test
    void badRequestIsAn400InvalidRequestError() {
        OpenAiError error = OpenAiError.badRequest("msg", "bad_thing", "messages");

        assertThat(error).isEqualTo(new OpenAiError(400, "msg", "invalid_request_error", "bad_thing", "messages",
                null));
    }

    @Test
    void ofHasNoParamNorRetryAfter() {
        OpenAiError error = OpenAiError.of(503, "server_error", "busy", "try later");

        assertThat(error).isEqualTo(new OpenAiError(503, "try later", "server_error", "busy", null, null));
    }
}
