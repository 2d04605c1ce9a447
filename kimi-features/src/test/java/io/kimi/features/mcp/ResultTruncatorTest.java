package io.kimi.features.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ResultTruncatorTest {

    private static final int MAX = 2048;

    private final ObjectMapper mapper = new ObjectMapper();
    private final ResultTruncator truncator = new ResultTruncator(mapper, MAX);

    @Test
    void aReplyThatFitsIsReturnedAsIs() throws IOException {
        byte[] original = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"text\":\"short\"}}"
                .getBytes(StandardCharsets.UTF_8);
        assertThat(truncator.fit((ObjectNode) mapper.readTree(original), original)).isSameAs(original);
    }

    @Test
    void cutsTheLongStringKeepingHeadTailAndTheExactOmittedCount() throws IOException {
        String text = "HEAD-" + "x".repeat(20_000) + "-TAIL";
        ObjectNode reply = reply(7);
        reply.putObject("result").putArray("content").addObject().put("type", "text").put("text", text);
        byte[] fitted = truncator.fit(reply, bytes(reply));

        assertThat(fitted.length).isLessThanOrEqualTo(MAX);
        JsonNode out = mapper.readTree(fitted);
        assertThat(out.get("jsonrpc").asText()).isEqualTo("2.0");
        assertThat(out.get("id").asInt()).isEqualTo(7);
        String cut = out.at("/result/content/0/text").asText();
        assertThat(cut).startsWith("HEAD-").endsWith("-TAIL").contains("\n…[truncated by kimi gateway: ");
        int markerStart = cut.indexOf("\n…[");
        int markerEnd = cut.indexOf("]…\n") + 3;
        long omitted = Long.parseLong(cut.substring(cut.indexOf(": ") + 2, cut.indexOf(" bytes omitted")));
        assertThat(omitted).isEqualTo(text.length() - markerStart - (cut.length() - markerEnd));
        assertThat(out.at("/result/content/0/type").asText()).isEqualTo("text");
    }

    @Test
    void cutsTheLongestStringsFirstAndLeavesShortOnesAlone() throws IOException {
        ObjectNode reply = reply(1);
        ObjectNode result = reply.putObject("result");
        result.put("title", "a short title");
        result.put("big", "b".repeat(10_000));
        result.put("bigger", "c".repeat(30_000));
        byte[] fitted = truncator.fit(reply, bytes(reply));

        assertThat(fitted.length).isLessThanOrEqualTo(MAX);
        JsonNode out = mapper.readTree(fitted);
        assertThat(out.at("/result/title").asText()).isEqualTo("a short title");
        assertThat(out.at("/result/big").asText()).contains("truncated by kimi gateway");
        assertThat(out.at("/result/bigger").asText()).contains("truncated by kimi gateway");
    }

    @Test
    void neverSplitsMultiByteCharacters() throws IOException {
        ObjectNode reply = reply("abc");
        reply.put("result", "é😀".repeat(5_000));
        byte[] fitted = truncator.fit(reply, bytes(reply));

        assertThat(fitted.length).isLessThanOrEqualTo(MAX);
        String cut = mapper.readTree(fitted).get("result").asText();
        String withoutMarker = cut.replaceAll("\n…\\[truncated by kimi gateway: \\d+ bytes omitted]…\n", "");
        assertThat(withoutMarker.codePoints().filter(c -> c != 'é' && c != 0x1F600)).isEmpty();
        assertThat(new String(fitted, StandardCharsets.UTF_8)).doesNotContain("\uFFFD");
    }

    @Test
    void aResultWithoutLongStringsBecomesANoticeWithHeadAndTail() throws IOException {
        ObjectNode reply = reply(3);
        ArrayNode numbers = reply.putArray("result");
        for (int i = 0; i < 5_000; i++) {
            numbers.add(i);
        }
        byte[] fitted = truncator.fit(reply, bytes(reply));

        assertThat(fitted.length).isLessThanOrEqualTo(MAX);
        JsonNode out = mapper.readTree(fitted);
        assertThat(out.get("id").asInt()).isEqualTo(3);
        assertThat(out.at("/result/truncated").asBoolean()).isTrue();
        assertThat(out.at("/result/original_bytes").asInt()).isEqualTo(bytes(reply).length);
        assertThat(out.at("/result/head").asText()).startsWith("[0,1,2,3");
        assertThat(out.at("/result/tail").asText()).endsWith("4998,4999]");
        assertThat(out.at("/result/notice").asText()).contains("max_result_bytes");
    }

    @Test
    void anOversizedErrorReplyStaysAnError() throws IOException {
        ObjectNode reply = reply(9);
        reply.putObject("error").put("code", -32000).put("message", "m".repeat(50_000));
        byte[] fitted = truncator.fit(reply, bytes(reply));

        assertThat(fitted.length).isLessThanOrEqualTo(MAX);
        JsonNode out = mapper.readTree(fitted);
        assertThat(out.at("/error/code").asInt()).isEqualTo(-32000);
        assertThat(out.at("/error/message").asText()).contains("truncated by kimi gateway");
        assertThat(out.has("result")).isFalse();
    }

    @Test
    void refusesLimitsBelowOneKilobyte() {
        assertThatThrownBy(() -> new ResultTruncator(mapper, 100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxBytes: 100 (expected: >= 1024)");
    }

    private ObjectNode reply(Object id) {
        ObjectNode reply = mapper.createObjectNode().put("jsonrpc", "2.0");
        reply.set("id", mapper.valueToTree(id));
        return reply;
    }

    private byte[] bytes(JsonNode node) throws IOException {
        return mapper.writeValueAsBytes(node);
    }
}
