package io.kimi.proxy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.core.TokenUsage;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplyParserTest {
    private final ReplyParser parser = new ReplyParser();

    // --- non-streamed bodies ---

    @Test
    void bodyWithOpenAiUsageAndCachedTokensInPromptTokensDetails() {
        String body = """
                {"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"Bonjour !"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":120,"completion_tokens":7,"total_tokens":127,
                          "prompt_tokens_details":{"cached_tokens":64}}}
                """;

        ParsedReply reply = parseBody(body);

        assertThat(reply.reported()).isEqualTo(new TokenUsage(120, 7, 64));
        assertThat(reply.completionText()).isEqualTo("Bonjour !");
        assertThat(reply.finished()).isTrue();
    }

    @Test
    void bodyWithMoonshotCachedTokens() {
        String body = """
                {"choices":[{"message":{"content":"ok"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":200,"completion_tokens":3,"total_tokens":203,"cached_tokens":150}}
                """;

        assertThat(parseBody(body).reported()).isEqualTo(new TokenUsage(200, 3, 150));
    }

    @Test
    void bodyWithDeepSeekPromptCacheHitTokens() {
        String body = """
                {"choices":[{"message":{"content":"ok"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":90,"completion_tokens":4,"total_tokens":94,
                          "prompt_cache_hit_tokens":80,"prompt_cache_miss_tokens":10}}
                """;

        assertThat(parseBody(body).reported()).isEqualTo(new TokenUsage(90, 4, 80));
    }

    @Test
    void bodyWithoutCachedTokensReportsZeroCached() {
        String body = """
                {"choices":[{"message":{"content":"ok"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":10,"completion_tokens":2,"total_tokens":12,"prompt_tokens_details":null}}
                """;

        assertThat(parseBody(body).reported()).isEqualTo(new TokenUsage(10, 2, 0));
    }

    @Test
    void cachedTokensAreCappedAtPromptTokens() {
        String body = """
                {"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":2,"cached_tokens":50}}
                """;

        assertThat(parseBody(body).reported()).isEqualTo(new TokenUsage(10, 2, 10));
    }

    @Test
    void bodyCompletionTextHoldsContentAndToolCallArguments() {
        String body = """
                {"choices":[{"index":0,"message":{"role":"assistant","content":"Je cherche.",
                  "tool_calls":[
                    {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}},
                    {"id":"call_2","type":"function","function":{"name":"get_time","arguments":"{}"}}]},
                  "finish_reason":"tool_calls"}],
                 "usage":{"prompt_tokens":50,"completion_tokens":20,"total_tokens":70}}
                """;

        ParsedReply reply = parseBody(body);

        assertThat(reply.completionText())
                .startsWith("Je cherche.")
                .contains("{\"city\":\"Paris\"}")
                .contains("get_weather")
                .contains("{}")
                .isEqualTo("Je cherche.get_weather{\"city\":\"Paris\"}get_time{}");
        assertThat(reply.finished()).isTrue();
    }

    @Test
    void bodyWithNullContentAndOnlyToolCalls() {
        String body = """
                {"choices":[{"message":{"content":null,"tool_calls":[
                   {"function":{"name":"f","arguments":"{\\"a\\":1}"}}]},"finish_reason":"tool_calls"}]}
                """;

        ParsedReply reply = parseBody(body);

        assertThat(reply.completionText()).isEqualTo("f{\"a\":1}");
        assertThat(reply.reported()).isNull();
    }

    @Test
    void bodyCountsReasoningContent() {
        String body = """
                {"choices":[{"message":{"reasoning_content":"Let me think. ","content":"42"},"finish_reason":"stop"}]}
                """;

        assertThat(parseBody(body).completionText()).contains("Let me think. ").contains("42").hasSize(16);
    }

    @Test
    void bodyWithoutUsageReportsNull() {
        String body = "{\"choices\":[{\"message\":{\"content\":\"x\"},\"finish_reason\":null}]}";

        ParsedReply reply = parseBody(body);

        assertThat(reply.reported()).isNull();
        assertThat(reply.completionText()).isEqualTo("x");
        assertThat(reply.finished()).isFalse();
    }

    @Test
    void emptyBodyIsMalformed() {
        assertThat(parser.parse(new byte[0], false)).isEqualTo(new ParsedReply(null, "", false, "an empty body"));
    }

    @Test
    void bodyThatIsNotJsonIsMalformedAndItsStartQuoted() {
        assertThat(parseBody("<html>Bad Gateway</html>")).isEqualTo(new ParsedReply(null, "", false,
                "a body that is not JSON (starts with \"<html>Bad Gateway</html>\")"));
    }

    @Test
    void jsonWithoutAChoicesArrayIsMalformed() {
        assertThat(parseBody("{\"error\":{\"message\":\"quota exceeded\"}}").malformed())
                .startsWith("JSON without a \"choices\" array (starts with \"{\"error\":");
        assertThat(parseBody("{\"choices\":null}").malformed()).startsWith("JSON without a \"choices\" array");
        assertThat(parseBody("{\"choices\":{\"message\":{}}}").malformed()).isNotNull();
        assertThat(parseBody("[{\"choices\":[]}]").malformed()).isNotNull();
        assertThat(parseBody("42").malformed()).isNotNull();
    }

    @Test
    void jsonFollowedByAnythingElseIsMalformed() {
        assertThat(parseBody("{\"choices\":[]} <html></html>").malformed()).startsWith("a body that is not JSON");
    }

    @Test
    void aChatCompletionWithNoChoiceIsWellFormed() {
        assertThat(parseBody("{\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":0}}"))
                .isEqualTo(new ParsedReply(new TokenUsage(3, 0, 0), "", false, null));
    }

    @Test
    void theQuotedStartIsCutAndHasNoControlCharacters() {
        String page = "<html>\r\n<body>\u2028" + "x".repeat(200) + "</body></html>";

        String why = parseBody(page).malformed();

        assertThat(why).isEqualTo("a body that is not JSON (starts with \"<html>  <body> " + "x".repeat(65) + "...\")");
    }

    // --- bodies longer than what was kept: judged by their head ---

    @Test
    void aCutBodyThatStartsAsAChatCompletionIsWellFormed() {
        String body = "{\"id\":\"c\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                + "\"content\":\"" + "word ".repeat(1000) + "\"},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":70,\"completion_tokens\":1001,\"total_tokens\":1071}}";
        byte[] bytes = body.getBytes(UTF_8);

        ParsedReply reply = cut(Arrays.copyOf(bytes, 300), Arrays.copyOfRange(bytes, bytes.length - 120, bytes.length));

        assertThat(reply.malformed()).isNull();
        assertThat(reply.reported()).isEqualTo(new TokenUsage(70, 1001, 0));
    }

    @Test
    void aCutThatSplitsALiteralOrACharacterIsNotASyntaxError() {
        byte[] accent = "{\"choices\":[{\"message\":{\"content\":\"caf\u00e9".getBytes(UTF_8);

        assertThat(cut("{\"choices\":[{\"finish_reason\":nu".getBytes(UTF_8), new byte[0]).malformed()).isNull();
        assertThat(cut(Arrays.copyOf(accent, accent.length - 1), new byte[0]).malformed()).isNull();
    }

    @Test
    void aCutBodyThatStartsAsSomethingElseIsMalformed() {
        byte[] html = ("<!DOCTYPE html><html>" + "<p>maintenance</p>".repeat(100)).getBytes(UTF_8);

        assertThat(cut(Arrays.copyOf(html, 500), new byte[0]))
                .isEqualTo(new ParsedReply(null, "", false, "a body that is not JSON (starts with \"<!DOCTYPE html>"
                        + "<html><p>maintenance</p><p>maintenance</p><p>maintenance</p><p>ma...\")"));
        assertThat(cut("[1,2,3,".getBytes(UTF_8), new byte[0]).malformed()).startsWith("JSON that is not an object");
        assertThat(cut("{\"choices\":[}]    and more text after it".getBytes(UTF_8), new byte[0]).malformed())
                .startsWith("a body that is not JSON");
    }

    // --- streamed transcripts ---

    @Test
    void streamWithOpenAiFinalUsageChunk() {
        String sse = sse(
                "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}],\"usage\":null}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}],\"usage\":null}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},\"finish_reason\":null}],\"usage\":null}",
                "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}",
                "{\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":2,\"total_tokens\":14,"
                        + "\"prompt_tokens_details\":{\"cached_tokens\":8}}}",
                "[DONE]");

        ParsedReply reply = parseStream(sse);

        assertThat(reply.reported()).isEqualTo(new TokenUsage(12, 2, 8));
        assertThat(reply.completionText()).isEqualTo("Hello");
        assertThat(reply.finished()).isTrue();
    }

    @Test
    void streamWithMoonshotUsageInTheLastChoice() {
        String sse = sse(
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Sa\"}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lut\"}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\","
                        + "\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":2,\"total_tokens\":32,"
                        + "\"cached_tokens\":16}}]}",
                "[DONE]");

        ParsedReply reply = parseStream(sse);

        assertThat(reply.reported()).isEqualTo(new TokenUsage(30, 2, 16));
        assertThat(reply.completionText()).isEqualTo("Salut");
        assertThat(reply.finished()).isTrue();
    }

    @Test
    void streamWithDeepSeekCacheHitTokens() {
        String sse = sse(
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"},\"finish_reason\":\"stop\"}],"
                        + "\"usage\":{\"prompt_tokens\":70,\"completion_tokens\":1,\"prompt_cache_hit_tokens\":64}}",
                "[DONE]");

        assertThat(parseStream(sse).reported()).isEqualTo(new TokenUsage(70, 1, 64));
    }

    @Test
    void streamWithoutUsageReportsNull() {
        String sse = sse(
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"},\"finish_reason\":\"stop\"}]}",
                "[DONE]");

        ParsedReply reply = parseStream(sse);

        assertThat(reply.reported()).isNull();
        assertThat(reply.completionText()).isEqualTo("ab");
    }

    @Test
    void streamCountsReasoningContentAndToolCallArguments() {
        String sse = sse(
                "{\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"Think\"}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"ing.\"}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Call:\"}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c1\",\"type\":\"function\","
                        + "\"function\":{\"name\":\"search\",\"arguments\":\"\"}}]}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
                        + "\"function\":{\"arguments\":\"{\\\"q\\\":\"}}]}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
                        + "\"function\":{\"arguments\":\"\\\"jvm\\\"}\"}}]}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}");

        ParsedReply reply = parseStream(sse);

        assertThat(reply.completionText()).isEqualTo("Thinking.Call:search{\"q\":\"jvm\"}");
        assertThat(reply.finished()).isTrue();
    }

    @Test
    void doneMarksTheStreamFinished() {
        String sse = sse("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}", "[DONE]");

        assertThat(parseStream(sse).finished()).isTrue();
    }

    @Test
    void streamWithoutDoneOrFinishReasonIsNotFinished() {
        String sse = sse("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"},\"finish_reason\":null}]}");

        ParsedReply reply = parseStream(sse);

        assertThat(reply.finished()).isFalse();
        assertThat(reply.completionText()).isEqualTo("a");
    }

    @Test
    void brokenJsonEventsAreSkipped() {
        String sse = sse(
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":",
                "not json at all",
                "{broken}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"}}],"
                        + "\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":2}}",
                "[DONE]");

        ParsedReply reply = parseStream(sse);

        assertThat(reply.completionText()).isEqualTo("ab");
        assertThat(reply.reported()).isEqualTo(new TokenUsage(4, 2, 0));
        assertThat(reply.finished()).isTrue();
    }

    @Test
    void commentsAndOtherFieldsAreIgnored() {
        String sse = ": OPENROUTER PROCESSING\n\n"
                + "event: message\nid: 1\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"z\"}}]}\n\n"
                + ": ping\n\n"
                + "data: [DONE]\n\n";

        ParsedReply reply = parseStream(sse);

        assertThat(reply.completionText()).isEqualTo("z");
        assertThat(reply.finished()).isTrue();
    }

    @Test
    void crlfFramedStream() {
        String sse = sse(
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"y\"},\"finish_reason\":\"stop\"}]}",
                "{\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"cached_tokens\":3}}",
                "[DONE]").replace("\n", "\r\n");

        ParsedReply reply = parseStream(sse);

        assertThat(reply.completionText()).isEqualTo("xy");
        assertThat(reply.reported()).isEqualTo(new TokenUsage(9, 2, 3));
        assertThat(reply.finished()).isTrue();
    }

    @Test
    void crFramedStream() {
        String sse = sse(
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}",
                "{\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":1}}",
                "[DONE]").replace("\n", "\r");

        ParsedReply reply = parseStream(sse);

        assertThat(reply.completionText()).isEqualTo("x");
        assertThat(reply.reported()).isEqualTo(new TokenUsage(9, 1, 0));
        assertThat(reply.finished()).isTrue();
    }

    @Test
    void aLastEventWithoutBlankLineIsStillRead() {
        String sse = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n"
                + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":1}}";

        ParsedReply reply = parseStream(sse);

        assertThat(reply.reported()).isEqualTo(new TokenUsage(2, 1, 0));
        assertThat(reply.finished()).isFalse();
    }

    @Test
    void theLastReportedUsageWins() {
        String sse = sse(
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}],"
                        + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1}}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"}}],"
                        + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2}}",
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"c\"}}],\"usage\":null}",
                "[DONE]");

        assertThat(parseStream(sse).reported()).isEqualTo(new TokenUsage(5, 2, 0));
    }

    @Test
    void multiLineDataIsJoinedBeforeParsing() {
        String sse = "data: {\"choices\":[{\"index\":0,\n"
                + "data: \"delta\":{\"content\":\"multi\"}}]}\n\n"
                + "data: [DONE]\n\n";

        assertThat(parseStream(sse).completionText()).isEqualTo("multi");
    }

    @Test
    void multiLineDataIsJoinedInACrlfFramedStream() {
        String sse = "event: message\r\n"
                + "data: {\"choices\":[{\"index\":0,\r\n"
                + "data: \"delta\":{\"content\":\"crlf\"}}]}\r\n\r\n"
                + "data: [DONE]\r\n\r\n";

        assertThat(parseStream(sse).completionText()).isEqualTo("crlf");
    }

    @Test
    void aStreamWithAnEventThatIsNotJsonIsMalformedAndItsOtherEventsStillRead() {
        String sse = sse("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}",
                "<html>proxy error</html>",
                "{\"choices\":[],\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":1}}", "[DONE]");

        ParsedReply reply = parseStream(sse);

        assertThat(reply.malformed()).isEqualTo("an event that is not JSON (starts with \"<html>proxy error</html>\")");
        assertThat(reply.completionText()).isEqualTo("Hi");
        assertThat(reply.reported()).isEqualTo(new TokenUsage(4, 1, 0));
        assertThat(reply.finished()).isTrue();
    }

    @Test
    void aStreamOfCommentsBlankDataAndDoneIsWellFormed() {
        assertThat(parseStream(": ping\n\ndata:\n\ndata: [DONE]\n\n").malformed()).isNull();
    }

    @Test
    void aTruncatedStreamReadsItsTailEventAfterItsHead() {
        String head = sse("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}");
        String tail = sse("{\"choices\":[],\"usage\":{\"prompt_tokens\":6,\"completion_tokens\":500}}");

        ParsedReply reply = parser.parse(new ReplyTranscript(head.getBytes(UTF_8), tail.getBytes(UTF_8), false, 900),
                true);

        assertThat(reply).isEqualTo(new ParsedReply(new TokenUsage(6, 500, 0), "a", false, null));
    }

    @Test
    void emptyTranscriptIsNothing() {
        assertThat(parser.parse(new byte[0], true)).isEqualTo(new ParsedReply(null, "", false));
    }

    @Test
    void transcriptOfOnlyCommentsIsNothing() {
        assertThat(parseStream(": ping\n\n: ping\n\n")).isEqualTo(new ParsedReply(null, "", false));
    }

    // --- usage alone (reportedUsage), which every test above also checks against parse ---

    @Test
    void usageAloneReadsAKeySpelledWithEscapesInABodyAndInAStream() {
        String body = "{\"choices\":[],\"\\u0075sage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}";

        assertThat(parseBody(body).reported()).isEqualTo(new TokenUsage(3, 1, 0));
        assertThat(parseStream(sse(body, "[DONE]")).reported()).isEqualTo(new TokenUsage(3, 1, 0));
    }

    @Test
    void usageAloneTakesTheLastOfARepeatedKeyAsATreeDoes() {
        String body = "{\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1},\"usage\":null}";

        assertThat(parseBody(body).reported()).isNull();
        assertThat(parseBody("{\"choices\":[],\"usage\":null,"
                + "\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":2}}").reported())
                .isEqualTo(new TokenUsage(4, 2, 0));
        assertThat(parseBody("{\"choices\":[],\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":2},"
                + "\"choices\":{}}").reported()).as("the last choices is not an array: malformed").isNull();
    }

    @Test
    void usageAloneFindsNoUsageInAMalformedBody() {
        String usage = "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1}";

        assertThat(parseBody("{\"choices\":[]," + usage + "}").reported()).isEqualTo(new TokenUsage(5, 1, 0));
        assertThat(parseBody("{\"choices\":[]," + usage + "} trailing words").reported()).isNull();
        assertThat(parseBody("{\"choices\":[]," + usage + "} {}").reported()).isNull();
        assertThat(parseBody("{" + usage + "}").reported()).as("no choices").isNull();
        assertThat(parseBody("{" + usage + ",\"choices\":[{\"message\":").reported()).isNull();
        assertThat(parseBody("[{" + usage + "}]").reported()).isNull();
        assertThat(parseBody("  ").reported()).isNull();
        assertThat(parseBody("null").reported()).isNull();
    }

    @Test
    void usageAloneSkipsEventsThatCannotNameUsage() {
        String sse = sse("{\"choices\":[{\"delta\":{\"content\":\"usage is high\"}}]}",
                "{\"choices\":[],\"usage\":{\"prompt_tokens\":8,\"completion_tokens\":2}}",
                "{\"choices\":[{\"delta\":{\"content\":\"after\"}}]}", "[DONE]");

        assertThat(parseStream(sse).reported()).isEqualTo(new TokenUsage(8, 2, 0));
    }

    /** {@link ReplyParser#parse} of a cut body, after checking that {@link ReplyParser#reportedUsage} agrees. */
    private ParsedReply cut(byte[] head, byte[] tail) {
        ReplyTranscript transcript = new ReplyTranscript(head, tail, true, 1000);
        ParsedReply reply = parser.parse(transcript, false);
        assertThat(parser.reportedUsage(transcript, false)).isEqualTo(reply.reported());
        return reply;
    }

    /** {@link ReplyParser#parse} of a body, after checking that {@link ReplyParser#reportedUsage} agrees. */
    private ParsedReply parseBody(String body) {
        ParsedReply reply = parser.parse(body.getBytes(UTF_8), false);
        assertThat(parser.reportedUsage(body.getBytes(UTF_8), false)).as("usage alone of %s", body)
                .isEqualTo(reply.reported());
        return reply;
    }

    /** {@link ReplyParser#parse} of a stream, after checking that {@link ReplyParser#reportedUsage} agrees. */
    private ParsedReply parseStream(String sse) {
        ParsedReply reply = parser.parse(sse.getBytes(UTF_8), true);
        assertThat(parser.reportedUsage(sse.getBytes(UTF_8), true)).as("usage alone of %s", sse)
                .isEqualTo(reply.reported());
        return reply;
    }

    private static String sse(String... data) {
        StringBuilder out = new StringBuilder();
        for (String d : List.of(data)) {
            out.append("data: ").append(d).append("\n\n");
        }
        return out.toString();
    }
}
