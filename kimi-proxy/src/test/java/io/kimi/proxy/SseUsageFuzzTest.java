package io.kimi.proxy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.core.TokenUsage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzzes the usage extraction of a streamed reply: the byte-level pre-filter {@link SseEvents#mayHoldUsage},
 * the strip decision {@link ProxyExchange#isUsageOnlyChunk} and {@link ReplyParser}. Oracle: the pre-filter
 * never misses an event whose data carries a {@code usage} object (top-level or in a choice, with
 * {@code prompt_tokens}), since a missed one is dropped from a full transcript and its usage lost; a chunk
 * stripped as usage-only carries no generated text and no end of reply; the parser never throws, on the
 * stream or on the same bytes read as a whole body, and its usage is sane (cached tokens within the prompt);
 * {@link ReplyParser#reportedUsage} reads the same usage as the full parse, either way.
 * Corpus: {@code src/test/resources/io/kimi/proxy/SseUsageFuzzTestInputs/}.
 */
class SseUsageFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ReplyParser parser = new ReplyParser();

    @FuzzTest(maxDuration = "3m")
    void everyUsageIsSeenAndReadSanely(byte[] stream) {
        ParsedReply asStream = parser.parse(stream, true);
        ParsedReply asBody = parser.parse(stream, false);
        assertSane(asStream);
        assertSane(asBody);
        assertThat(parser.reportedUsage(stream, true)).as("usage alone, stream").isEqualTo(asStream.reported());
        assertThat(parser.reportedUsage(stream, false)).as("usage alone, body").isEqualTo(asBody.reported());

        for (byte[] event : events(stream)) {
            ByteBuf buffer = Unpooled.wrappedBuffer(event);
            String data = SseEvents.data(buffer);
            JsonNode chunk = data == null ? null : parseOrNull(data);
            if (chunk != null && carriesUsage(chunk)) {
                assertThat(SseEvents.mayHoldUsage(buffer)).as("usage missed in %s", new String(event, UTF_8))
                        .isTrue();
            }
            if (ProxyExchange.isUsageOnlyChunk(buffer)) {
                ParsedReply stripped = parser.parse(event, true);
                assertThat(stripped.completionText()).as("text stripped with %s", data).isEmpty();
                assertThat(stripped.finished()).as("end of reply stripped with %s", data).isFalse();
            }
        }
    }

    private static void assertSane(ParsedReply reply) {
        assertThat(reply.completionText()).isNotNull();
        TokenUsage usage = reply.reported();
        if (usage != null) {
            assertThat(usage.cachedPromptTokens()).isLessThanOrEqualTo(usage.promptTokens());
        }
    }

    /** Whether the chunk holds usage the parser would read: {@code usage} or a choice's {@code usage}. */
    private static boolean carriesUsage(JsonNode chunk) {
        if (isUsage(chunk.path("usage"))) {
            return true;
        }
        for (JsonNode choice : chunk.path("choices")) {
            if (isUsage(choice.path("usage"))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isUsage(JsonNode usage) {
        return usage.isObject() && usage.has("prompt_tokens");
    }

    private static JsonNode parseOrNull(String data) {
        try {
            return JSON.readTree(data);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static List<byte[]> events(byte[] stream) {
        SseFramer framer = new SseFramer(UnpooledByteBufAllocator.DEFAULT);
        List<ByteBuf> out = new ArrayList<>();
        framer.feed(Unpooled.copiedBuffer(stream), out);
        out.add(framer.remainder());
        List<byte[]> events = new ArrayList<>();
        for (ByteBuf event : out) {
            events.add(ByteBufUtil.getBytes(event));
            event.release();
        }
        return events;
    }
}
