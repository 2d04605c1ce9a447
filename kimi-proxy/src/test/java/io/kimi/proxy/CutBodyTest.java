package io.kimi.proxy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.core.TokenUsage;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A reply body kept only in part: text read up to the cut, usage from the tail. */
class CutBodyTest {
    private final ReplyParser parser = new ReplyParser();

    @Test
    void textIsReadUpToTheCutAndUsageFromTheTail() {
        String body = "{\"id\":\"c\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"reasoning_content\":"
                + "\"think\",\"content\":\"" + "word".repeat(1_000) + "\"},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":1001,\"total_tokens\":1013}}";
        int headBytes = body.indexOf("word") + 403;

        ParsedReply reply = parser.parse(cut(body, headBytes, 200), false);

        assertThat(reply.completionText()).isEqualTo("think" + "word".repeat(1_000).substring(0, 403));
        assertThat(reply.reported()).isEqualTo(new TokenUsage(12, 1001, 0));
        assertThat(reply.finished()).isTrue();
    }

    @Test
    void escapesAreDecodedAndAnEscapeCutInTheMiddleDropped() {
        String head = "{\"choices\":[{\"message\":{\"content\":\"a\\nb\\\"c\\u00e9d\\u00";
        StringBuilder out = new StringBuilder();

        CutBody.appendCutString(head.getBytes(UTF_8), head.indexOf("a\\n"), out);

        assertThat(out.toString()).isEqualTo("a\nb\"céd");
    }

    @Test
    void multiByteCharactersAndToolCallArgumentsAreRead() {
        String body = "{\"choices\":[{\"message\":{\"content\":\"日本\",\"tool_calls\":[{\"id\":\"t\",\"function\":"
                + "{\"name\":\"run\",\"arguments\":\"{\\\"x\\\":1}\"}}]}}],\"usage\":{\"prompt_tokens\":3,"
                + "\"completion_tokens\":4}}";
        int headBytes = body.getBytes(UTF_8).length - 30;

        ParsedReply reply = parser.parse(cut(body, headBytes, 10), false);

        assertThat(reply.completionText()).isEqualTo("日本run{\"x\":1}");
        assertThat(reply.reported()).as("the tail holds no whole usage object").isNull();
    }

    @Test
    void usageBeforeTheChoicesIsReadFromTheHead() {
        String body = "{\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":6},\"choices\":[{\"message\":"
                + "{\"content\":\"" + "z".repeat(500) + "\"}}]}";

        ParsedReply reply = parser.parse(cut(body, 200, 20), false);

        assertThat(reply.reported()).isEqualTo(new TokenUsage(5, 6, 0));
        assertThat(reply.completionText()).startsWith("zzz").hasSize(200 - body.indexOf("zzz"));
    }

    @Test
    void aHeadThatIsNotJsonGivesNoText() {
        ParsedReply reply = parser.parse(cut("<html>" + "x".repeat(100) + "</html>", 50, 10), false);

        assertThat(reply.completionText()).isEmpty();
        assertThat(reply.reported()).isNull();
    }

    @Test
    void aWholeTranscriptParsesAsTheBytesDo() {
        String body = "{\"choices\":[{\"message\":{\"content\":\"ok\"},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}";
        assertThat(parser.parse(ReplyTranscript.whole(body.getBytes(UTF_8)), false))
                .isEqualTo(parser.parse(body.getBytes(UTF_8), false));
    }

    /** The transcript of {@code body} kept to its first {@code headBytes} bytes and its last {@code tailBytes}. */
    private static ReplyTranscript cut(String body, int headBytes, int tailBytes) {
        byte[] all = body.getBytes(UTF_8);
        return new ReplyTranscript(Arrays.copyOf(all, headBytes), Arrays.copyOfRange(all, all.length - tailBytes,
                all.length), true, all.length - headBytes);
    }
}
